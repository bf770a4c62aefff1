import { describe, expect, it } from 'vitest';

import { CredentialsError } from '../../../src/credentials/errors.ts';
import {
  createHeartbeatHandler,
  type HeartbeatHandlerDeps,
  HeartbeatTargetsError,
  handler,
} from '../../../src/handlers/heartbeat.ts';
import type { CredentialsProvider } from '../../../src/sls/types.ts';
import { createManualClock } from '../../helpers/clock.ts';
import { heartbeatConfig } from '../../helpers/configs.ts';
import { lambdaContext } from '../../helpers/factories.ts';
import { apiError, createFakeSls, GROUP, LOGSTORE, PROJECT, recordingLogger } from './fake-sls.ts';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

const config = heartbeatConfig({
  targets: [{ project: PROJECT, logstore: LOGSTORE, consumerGroup: GROUP, consumer: 'c1' }],
});

function setup(
  overrides: Partial<HeartbeatHandlerDeps> = {},
  fakeOptions: Parameters<typeof createFakeSls>[1] = {},
) {
  const clock = createManualClock(T0);
  const sls = createFakeSls(clock, fakeOptions);
  const logger = recordingLogger();
  const fn = createHeartbeatHandler({
    config,
    client: sls.client,
    logger,
    now: clock.now,
    sleep: clock.sleep,
    ...overrides,
  });
  /** A scheduled event with `budgetMs` of remaining time, measured on the manual clock. */
  const invoke = (budgetMs = 55_000) => {
    const end = clock.now() + budgetMs;
    return fn(
      { 'detail-type': 'Scheduled Event', source: 'aws.events' },
      lambdaContext(() => end - clock.now()),
    );
  };
  return { clock, sls, logger, fn, invoke };
}

describe('createHeartbeatHandler', () => {
  it('beats for the invocation’s remaining time and returns a summary per target', async () => {
    const s = setup();
    const report = await s.invoke();
    expect(report).toEqual({
      rounds: 3,
      targets: [
        {
          project: PROJECT,
          logstore: LOGSTORE,
          consumerGroup: GROUP,
          consumer: 'c1',
          shards: [0, 1, 2, 3],
          beats: 3,
          failures: 0,
          reRegistrations: 0,
        },
      ],
    });
    expect(s.logger.events('heartbeat.summary')[0]?.fields).toMatchObject({
      rounds: 3,
      awsRequestId: expect.any(String),
    });
  });

  it('remembers the assigned shards across warm invocations', async () => {
    const s = setup();
    await s.invoke();
    s.clock.set(T0 + 60_000);
    await s.invoke();
    expect(s.sls.calls.filter((c) => c.op === 'getCheckpoints')).toHaveLength(1);
    expect(s.sls.heartbeats()[3]?.shards).toEqual([0, 1, 2, 3]);
  });

  it('returns (does not throw) when beats fail for reasons that may pass', async () => {
    const s = setup();
    s.sls.fail('heartbeat', apiError('InternalServerError', 500), { times: 10 });
    const report = await s.invoke();
    expect(report.targets[0]).toMatchObject({
      beats: 0,
      failures: 3,
      lastError: { code: 'InternalServerError' },
    });
  });

  it('throws, after every target had its beats, when one never got through for a reason retrying cannot fix', async () => {
    const s = setup({
      config: {
        ...config,
        targets: [
          ...config.targets,
          { project: PROJECT, logstore: LOGSTORE, consumerGroup: 'missing', consumer: 'c1' },
        ],
      },
    });
    const error = await s.invoke().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeartbeatTargetsError);
    expect((error as Error).message).toBe(
      'no heartbeat got through for proj/store/missing consumer c1: ConsumerGroupNotExist',
    );
    expect((error as HeartbeatTargetsError).report.targets.map((t) => t.beats)).toEqual([3, 0]);
  });

  it('creates the group when SLS_CREATE_CONSUMER_GROUP is on, with the configured timeout', async () => {
    const s = setup(
      { config: { ...config, createConsumerGroup: true, groupTimeoutSeconds: 90 } },
      { groups: [] },
    );
    const report = await s.invoke(10_000);
    expect(report.targets[0]).toMatchObject({ beats: 1, failures: 0 });
    // The model answers AlreadyExist now, so it holds the group with the timeout we sent.
    expect(() => s.sls.model.createConsumerGroup(PROJECT, LOGSTORE, GROUP, { timeoutSeconds: 90 })).toThrow(
      'already exist',
    );
    expect(s.sls.model.consumers(PROJECT, LOGSTORE, GROUP).map((c) => c.name)).toEqual(['c1']);
  });

  it('fails before any beat when the credentials cannot be loaded', async () => {
    const failing: CredentialsProvider = {
      get: async () => {
        throw new CredentialsError('secret "sls/credentials" was not found', {
          code: 'SecretNotFound',
          secretId: 'sls/credentials',
          retryable: false,
        });
      },
      refresh: async () => {
        throw new Error('not called');
      },
    };
    const s = setup({ credentials: failing });
    await expect(s.invoke()).rejects.toMatchObject({ code: 'SecretNotFound' });
    expect(s.sls.calls).toEqual([]);
  });

  it('beats once or twice when the context does not say how much time is left', async () => {
    const s = setup();
    const context = { ...lambdaContext(), getRemainingTimeInMillis: undefined } as unknown as Parameters<
      typeof s.fn
    >[1];
    const report = await s.fn({}, context);
    expect(report.rounds).toBe(2);
  });

  it('warns at build time when one missed beat would expire the consumer', () => {
    const logger = recordingLogger();
    createHeartbeatHandler({
      config: { ...config, intervalMs: 40_000 },
      client: createFakeSls(createManualClock()).client,
      logger,
    });
    expect(logger.events('heartbeat.interval_too_long')[0]?.fields).toEqual({
      intervalMs: 40_000,
      groupTimeoutMs: 60_000,
    });
  });
});

describe('handler', () => {
  it('is built from the environment at import', () => {
    expect(typeof handler).toBe('function');
    expect(typeof handler.use).toBe('function');
  });
});
