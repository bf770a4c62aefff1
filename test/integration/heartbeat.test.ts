/**
 * The heartbeat handler end to end: real SlsClient, real HTTP, the emulator as SLS. One manual
 * clock drives the emulator (expiry), the client (signing, backoff) and the use case (cadence),
 * so thirty simulated minutes take well under a second of real time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { HeartbeatTargetConfig } from '../../src/config.ts';
import type { RecordedRequest } from '../../src/emulator/types.ts';
import {
  createHeartbeatHandler,
  type HeartbeatReport,
  HeartbeatTargetsError,
} from '../../src/handlers/heartbeat.ts';
import { createHeartbeatState, type HeartbeatState } from '../../src/heartbeat/state.ts';
import type { SlsClientOptions } from '../../src/sls/client.ts';
import { heartbeatConfig } from '../helpers/configs.ts';
import { lambdaContext } from '../helpers/factories.ts';
import { recordingLogger } from '../helpers/logger.ts';
import { startRewritingProxy } from '../helpers/rewriting-proxy.ts';
import { type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

const PROJECT = 'test-project';
const LOGSTORE = 'test-logstore';
const GROUP = 'test-group';
const MINUTE = 60_000;
/** What the schedule leaves each invocation: a 55 s Lambda timeout. */
const BUDGET_MS = 55_000;

let f: SlsFixture;
let start: number;

beforeEach(async () => {
  f = await startSlsFixture({ shards: 4, groupTimeoutSeconds: 60 });
  start = f.clock.now();
});
afterEach(async () => {
  await f.close();
});

const worker = (consumer: string, consumerGroup = GROUP): HeartbeatTargetConfig => ({
  project: PROJECT,
  logstore: LOGSTORE,
  consumerGroup,
  consumer,
});

function heartbeatFunction(
  options: {
    targets?: readonly HeartbeatTargetConfig[];
    concurrency?: number;
    client?: Partial<SlsClientOptions>;
    state?: HeartbeatState;
    createConsumerGroup?: boolean;
    endpoint?: string;
  } = {},
) {
  const logger = recordingLogger();
  const fn = createHeartbeatHandler({
    config: heartbeatConfig({
      endpoint: options.endpoint ?? f.emulator.url,
      targets: options.targets ?? [worker('worker-1')],
      concurrency: options.concurrency ?? 4,
      createConsumerGroup: options.createConsumerGroup ?? false,
      requestTimeoutMs: 2_000,
    }),
    client: f.client(options.client),
    logger,
    now: f.clock.now,
    sleep: f.clock.sleep,
    state: options.state,
  });
  /** One scheduled invocation starting at `at`, with `BUDGET_MS` of remaining time. */
  const invokeAt = (at: number): Promise<HeartbeatReport> => {
    f.clock.set(at);
    const end = at + BUDGET_MS;
    return fn(
      { 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(at).toISOString() },
      lambdaContext(() => end - f.clock.now()),
    );
  };
  return { fn, logger, invokeAt };
}

const consumers = (group = GROUP) => f.emulator.consumers(PROJECT, LOGSTORE, group);
const heartbeats = (consumer?: string): RecordedRequest[] =>
  f.emulator.requests.filter(
    (r) => r.operation === 'heartbeat' && (consumer === undefined || r.query.consumer === consumer),
  );
const expired = () => f.emulator.requests.filter((r) => r.errorCode === 'NotExistConsumerWithBody');

describe('keeping a consumer alive', () => {
  it('holds one consumer over 30 minutes of once-a-minute invocations without a single expiry', async () => {
    const { invokeAt } = heartbeatFunction();
    let beats = 0;
    for (let minute = 0; minute < 30; minute++) {
      // Just before the schedule fires again, the consumer is still there (checked at the instant
      // the next invocation starts, when the gap since its last beat is longest).
      f.clock.set(start + minute * MINUTE);
      if (minute > 0) expect(consumers().map((c) => c.name)).toEqual(['worker-1']);
      const report = await invokeAt(start + minute * MINUTE);
      expect(report.rounds).toBe(3);
      expect(report.targets[0]).toMatchObject({ failures: 0, reRegistrations: 0, shards: [0, 1, 2, 3] });
      beats += report.targets[0]?.beats ?? 0;
    }
    f.clock.set(start + 30 * MINUTE);
    expect(consumers()).toEqual([expect.objectContaining({ name: 'worker-1', assigned: [0, 1, 2, 3] })]);
    expect(beats).toBe(90);
    expect(expired()).toEqual([]);

    const times = heartbeats().map((r) => r.time);
    expect(times).toHaveLength(90);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.max(...gaps)).toBe(20_000);
    // After the cold start, every beat reported the shards SLS had assigned.
    expect(
      heartbeats()
        .slice(1)
        .every((r) => r.body === '[0,1,2,3]'),
    ).toBe(true);
  });

  it('registers again after the consumer expired between invocations, and keeps going', async () => {
    const { invokeAt, logger } = heartbeatFunction();
    await invokeAt(start);
    // Two invocations lost: 140 s since the last beat at 40 s, more than the 60 s timeout.
    f.clock.set(start + 3 * MINUTE);
    expect(consumers()).toEqual([]);

    const report = await invokeAt(start + 3 * MINUTE);
    expect(report.targets[0]).toMatchObject({
      beats: 3,
      failures: 0,
      reRegistrations: 1,
      shards: [0, 1, 2, 3],
    });
    expect(expired()).toHaveLength(1);
    const after = heartbeats().filter((r) => r.time >= start + 3 * MINUTE);
    expect(after.map((r) => r.body)).toEqual(['[0,1,2,3]', '[]', '[0,1,2,3]', '[0,1,2,3]']);
    expect(logger.events('heartbeat.re_registered')[0]?.fields).toMatchObject({
      sinceLastSuccessMs: 140_000,
    });

    await invokeAt(start + 4 * MINUTE);
    expect(expired()).toHaveLength(1);
    expect(consumers().map((c) => c.name)).toEqual(['worker-1']);
  });
});

describe('surviving a misbehaving SLS', () => {
  it('rides out injected 5xx replies: the client retries within the beat', async () => {
    const { invokeAt } = heartbeatFunction();
    f.emulator.injectFault({
      operation: 'heartbeat',
      times: 3,
      action: { kind: 'error', status: 500, code: 'InternalServerError' },
    });
    const report = await invokeAt(start);
    expect(report.targets[0]).toMatchObject({ beats: 3, failures: 0, shards: [0, 1, 2, 3] });
    expect(heartbeats().filter((r) => r.fault === 'error')).toHaveLength(3);
  });

  it('keeps the shards through a beat that fails outright, and the consumer does not expire', async () => {
    const { invokeAt, logger } = heartbeatFunction();
    await invokeAt(start);
    // More failures than the client's five attempts: the first beat of the next invocation fails.
    f.emulator.injectFault({
      operation: 'heartbeat',
      times: 5,
      action: { kind: 'error', status: 503, code: 'ServerBusy' },
    });
    const report = await invokeAt(start + MINUTE);
    expect(report.targets[0]).toMatchObject({
      beats: 2,
      failures: 1,
      shards: [0, 1, 2, 3],
      lastError: { code: 'ServerBusy', status: 503, retryable: true },
    });
    const sent = heartbeats().filter((r) => r.time >= start + MINUTE && r.fault === undefined);
    expect(sent.map((r) => r.body)).toEqual(['[0,1,2,3]', '[0,1,2,3]']);
    expect(expired()).toEqual([]);
    expect(logger.events('heartbeat.beat_failed')).toHaveLength(1);
    // 20 s since the last success when the beat gave up: not yet half the 60 s timeout.
    expect(logger.events('heartbeat.at_risk')).toEqual([]);
    expect(consumers().map((c) => c.name)).toEqual(['worker-1']);
  });

  it('treats a reply naming an impossible shard as a failed beat, and keeps the shards it held', async () => {
    const proxy = await startRewritingProxy(f.emulator.url);
    try {
      const { invokeAt, logger } = heartbeatFunction({ endpoint: proxy.url });
      await invokeAt(start);
      // A reply that is valid JSON but names a shard no request may carry (above 2^31-1).
      proxy.forge('heartbeat', { status: 200, body: '[0,2147483648]' });
      const report = await invokeAt(start + MINUTE);
      expect(report.targets[0]).toMatchObject({
        beats: 2,
        failures: 1,
        shards: [0, 1, 2, 3],
        lastError: { code: 'InvalidResponse', retryable: false },
      });
      expect(proxy.forged).toBe(1);
      // The beats after the bad reply reached SLS and reported the set held before it.
      const sent = heartbeats().filter((r) => r.time > start + MINUTE);
      expect(sent.map((r) => r.body)).toEqual(['[0,1,2,3]', '[0,1,2,3]']);
      expect(logger.events('heartbeat.beat_failed')).toHaveLength(1);
      // The container is not poisoned: the next invocation beats normally.
      const next = await invokeAt(start + 2 * MINUTE);
      expect(next.targets[0]).toMatchObject({ beats: 3, failures: 0, shards: [0, 1, 2, 3] });
      expect(consumers().map((c) => c.name)).toEqual(['worker-1']);
    } finally {
      await proxy.close();
    }
  });

  it('rides out dropped connections', async () => {
    const { invokeAt } = heartbeatFunction();
    f.emulator.injectFault({ operation: 'heartbeat', times: 2, action: { kind: 'drop' } });
    const report = await invokeAt(start);
    expect(report.targets[0]).toMatchObject({ beats: 3, failures: 0, shards: [0, 1, 2, 3] });
    expect(heartbeats().filter((r) => r.fault === 'drop')).toHaveLength(2);
  });

  it('rides out slow replies: an attempt that times out is retried', async () => {
    const { invokeAt } = heartbeatFunction({ client: { retry: { attemptTimeoutMs: 100 } } });
    f.emulator.injectFault({ operation: 'heartbeat', times: 2, action: { kind: 'delay', ms: 400 } });
    const report = await invokeAt(start);
    expect(report.targets[0]).toMatchObject({ beats: 3, failures: 0, shards: [0, 1, 2, 3] });
    expect(report.targets[0]?.lastError).toBeUndefined();
    expect(consumers().map((c) => c.name)).toEqual(['worker-1']);
  });
});

describe('beats that cannot be sent at all', () => {
  it('fail the invocation (so the Errors metric shows it) when every beat was refused before sending', async () => {
    // A credentials provider that does not check its values, with a pasted line break.
    f.credentials.current = {
      ...f.credentials.current,
      accessKeyId: `${f.credentials.current.accessKeyId}\n`,
    };
    const { invokeAt } = heartbeatFunction();
    const error = await invokeAt(start).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeartbeatTargetsError);
    expect((error as Error).message).toBe(
      'no heartbeat got through for test-project/test-logstore/test-group consumer worker-1: InvalidRequest',
    );
    expect((error as HeartbeatTargetsError).report.targets[0]).toMatchObject({
      beats: 0,
      failures: 3,
      lastError: { code: 'InvalidRequest', retryable: false },
    });
    expect(f.emulator.requests).toEqual([]);
  });
});

describe('a missing consumer group', () => {
  it('is created when SLS_CREATE_CONSUMER_GROUP is on, and the consumer registers in it', async () => {
    const { invokeAt, logger } = heartbeatFunction({
      targets: [worker('worker-1', 'new-group')],
      createConsumerGroup: true,
    });
    const report = await invokeAt(start);
    expect(report.targets[0]).toMatchObject({ beats: 3, failures: 0, shards: [0, 1, 2, 3] });
    expect(f.emulator.requests.map((r) => `${r.operation} ${r.errorCode ?? r.status}`).slice(0, 4)).toEqual([
      'getCheckpoint ConsumerGroupNotExist',
      'heartbeat ConsumerGroupNotExist',
      'createConsumerGroup 200',
      'heartbeat 200',
    ]);
    expect(logger.events('heartbeat.group_created')).toHaveLength(1);
    expect(consumers('new-group').map((c) => c.name)).toEqual(['worker-1']);
  });

  it('makes the invocation fail when it may not be created, since no beat can get through', async () => {
    const { invokeAt } = heartbeatFunction({ targets: [worker('worker-1', 'new-group')] });
    await expect(invokeAt(start)).rejects.toThrow(
      'no heartbeat got through for test-project/test-logstore/new-group consumer worker-1: ConsumerGroupNotExist',
    );
  });
});

describe('several targets and consumers', () => {
  it('serves several targets in one invocation', async () => {
    for (const group of ['group-b', 'group-c']) {
      f.emulator.createConsumerGroup(PROJECT, LOGSTORE, group, { timeoutSeconds: 60 });
    }
    const targets = [worker('worker-1'), worker('worker-2', 'group-b'), worker('worker-3', 'group-c')];
    const { invokeAt, logger } = heartbeatFunction({ targets, concurrency: 2 });
    const report = await invokeAt(start);
    expect(report.targets.map((t) => [t.consumerGroup, t.consumer, t.beats, t.failures, t.shards])).toEqual([
      [GROUP, 'worker-1', 3, 0, [0, 1, 2, 3]],
      ['group-b', 'worker-2', 3, 0, [0, 1, 2, 3]],
      ['group-c', 'worker-3', 3, 0, [0, 1, 2, 3]],
    ]);
    expect(consumers('group-b').map((c) => c.name)).toEqual(['worker-2']);
    expect(consumers('group-c').map((c) => c.name)).toEqual(['worker-3']);
    const rounds = logger.events('heartbeat.round');
    expect(rounds.map((r) => r.fields.ok)).toEqual([3, 3, 3]);
  });

  it('on a cold start reports the shards the checkpoints say it holds', async () => {
    // Another process had balanced the group: worker-1 holds 0 and 1, worker-2 holds 2 and 3.
    const other = f.client();
    await other.heartbeat(f.target, 'worker-1', []);
    await other.heartbeat(f.target, 'worker-2', []);
    await other.heartbeat(f.target, 'worker-1', [0, 1]);
    await other.heartbeat(f.target, 'worker-2', [2, 3]);
    f.emulator.clearRequests();
    f.clock.advance(10_000);

    const { invokeAt, logger } = heartbeatFunction({ targets: [worker('worker-1')] });
    const report = await invokeAt(f.clock.now());
    expect(f.emulator.requests.map((r) => r.operation)[0]).toBe('getCheckpoint');
    expect(heartbeats('worker-1')[0]?.body).toBe('[0,1]');
    expect(report.targets[0]).toMatchObject({ shards: [0, 1], beats: 3 });
    expect(logger.events('heartbeat.shards_recovered')[0]?.fields.shards).toEqual([0, 1]);
    expect(logger.events('heartbeat.shards_changed')).toEqual([]);
  });

  it('keeps two consumers of one group alive, sharing the shards evenly and stably', async () => {
    const state = createHeartbeatState();
    const { invokeAt, logger } = heartbeatFunction({
      targets: [worker('worker-1'), worker('worker-2')],
      state,
    });
    for (let minute = 0; minute < 5; minute++) await invokeAt(start + minute * MINUTE);

    const live = consumers();
    expect(live.map((c) => c.name)).toEqual(['worker-1', 'worker-2']);
    expect(live.map((c) => c.assigned.length)).toEqual([2, 2]);
    expect([...(live[0]?.assigned ?? []), ...(live[1]?.assigned ?? [])].sort()).toEqual([0, 1, 2, 3]);
    // Every beat after the first round reported exactly what was assigned: no flapping.
    const changes = logger.events('heartbeat.shards_changed');
    expect(changes.length).toBeLessThanOrEqual(3);
    expect(expired()).toEqual([]);
  });
});
