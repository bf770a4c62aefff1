/**
 * An in-process SLS for the heartbeat use case's unit tests: the emulator's model (expiry,
 * balancing, NotExistConsumerWithBody) behind the three client calls, on a manual clock, with
 * scripted failures and latency. No HTTP.
 */
import { EmulatorError, SlsModel } from '../../../src/emulator/model.ts';
import type { HeartbeatClient, HeartbeatTarget } from '../../../src/heartbeat/types.ts';
import {
  isRetryableStatus,
  SlsApiError,
  SlsDeadlineError,
  SlsTimeoutError,
} from '../../../src/sls/errors.ts';
import type { ManualClock } from '../../helpers/clock.ts';

export type Operation = 'heartbeat' | 'getCheckpoints' | 'createConsumerGroup';

export interface Call {
  readonly op: Operation;
  /** Clock time the call started. */
  readonly at: number;
  readonly consumerGroup: string;
  readonly consumer?: string | undefined;
  readonly shards?: readonly number[] | undefined;
  readonly deadline: number | undefined;
}

export const PROJECT = 'proj';
export const LOGSTORE = 'store';
export const GROUP = 'group';

export function target(consumer = 'c1', consumerGroup = GROUP): HeartbeatTarget {
  return { endpoint: 'http://127.0.0.1:9', project: PROJECT, logstore: LOGSTORE, consumerGroup, consumer };
}

export function apiError(code: string, status: number, operation = 'ConsumerGroupHeartBeat'): SlsApiError {
  return new SlsApiError(`${operation} failed: ${status} ${code}`, {
    code,
    status,
    retryable: isRetryableStatus(status, code),
    operation,
    requestId: 'REQ0001',
  });
}

export interface FakeSls {
  readonly model: SlsModel;
  readonly client: HeartbeatClient;
  readonly calls: Call[];
  /** Clock time each call takes; past its deadline it times out there, as the real client's does. */
  latencyMs: number | ((call: Call) => number);
  /** Most calls in flight at once. */
  maxInFlight: number;
  /** The next `times` calls of `op` (for `consumer`, when given) throw `error`. */
  fail(op: Operation, error: Error, options?: { times?: number; consumer?: string }): void;
  heartbeats(consumer?: string): Call[];
}

export function createFakeSls(
  clock: ManualClock,
  options: { shards?: number; groupTimeoutSeconds?: number; groups?: readonly string[] } = {},
): FakeSls {
  const model = new SlsModel();
  model.createLogstore(PROJECT, LOGSTORE, options.shards ?? 4);
  for (const group of options.groups ?? [GROUP]) {
    model.createConsumerGroup(PROJECT, LOGSTORE, group, {
      timeoutSeconds: options.groupTimeoutSeconds ?? 60,
    });
  }
  const faults: { op: Operation; error: Error; left: number; consumer?: string | undefined }[] = [];
  let inFlight = 0;

  const run = async <T>(call: Call, body: () => T): Promise<T> => {
    fake.calls.push(call);
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    try {
      // Yield a few times so concurrent calls overlap the way real requests do.
      for (let i = 0; i < 3; i++) await Promise.resolve();
      const latency = typeof fake.latencyMs === 'function' ? fake.latencyMs(call) : fake.latencyMs;
      // As the real client: no attempt once the deadline has passed; a reply later than the
      // deadline is a timeout at the deadline.
      if (call.deadline !== undefined && call.deadline <= clock.now()) {
        throw new SlsDeadlineError('no time left before the deadline', {
          code: 'DeadlineExceeded',
          retryable: true,
        });
      }
      if (call.deadline !== undefined && clock.now() + latency > call.deadline) {
        await clock.sleep(call.deadline - clock.now());
        throw new SlsTimeoutError(`no complete reply within ${latency} ms`, {
          code: 'Timeout',
          retryable: true,
        });
      }
      await clock.sleep(latency);
      const index = faults.findIndex(
        (f) => f.op === call.op && (f.consumer === undefined || f.consumer === call.consumer),
      );
      const fault = faults[index];
      if (fault !== undefined) {
        if (--fault.left <= 0) faults.splice(index, 1);
        throw fault.error;
      }
      try {
        return body();
      } catch (error) {
        throw error instanceof EmulatorError ? apiError(error.code, error.status, call.op) : error;
      }
    } finally {
      inFlight--;
    }
  };

  const client: HeartbeatClient = {
    heartbeat: (t, consumer, held, opts = {}) =>
      run(
        {
          op: 'heartbeat',
          at: clock.now(),
          consumerGroup: t.consumerGroup,
          consumer,
          shards: [...held],
          deadline: opts.deadline,
        },
        () => model.heartbeat(t.project, t.logstore, t.consumerGroup, consumer, held, clock.now()),
      ),
    getCheckpoints: (t, opts = {}) =>
      run(
        { op: 'getCheckpoints', at: clock.now(), consumerGroup: t.consumerGroup, deadline: opts.deadline },
        () => model.checkpoints(t.project, t.logstore, t.consumerGroup, clock.now()),
      ),
    createConsumerGroup: (t, settings, opts = {}) =>
      run(
        {
          op: 'createConsumerGroup',
          at: clock.now(),
          consumerGroup: t.consumerGroup,
          deadline: opts.deadline,
        },
        () => model.createConsumerGroup(t.project, t.logstore, t.consumerGroup, settings),
      ),
  };

  const fake: FakeSls = {
    model,
    client,
    calls: [],
    latencyMs: 0,
    maxInFlight: 0,
    fail: (op, error, opts = {}) => {
      faults.push({ op, error, left: opts.times ?? 1, consumer: opts.consumer });
    },
    heartbeats: (consumer) =>
      fake.calls.filter((c) => c.op === 'heartbeat' && (consumer === undefined || c.consumer === consumer)),
  };
  return fake;
}

export { type LogLine, recordingLogger } from '../../helpers/logger.ts';
