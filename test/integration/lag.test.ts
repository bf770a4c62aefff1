/**
 * Consumer lag over real HTTP: `measureLag` with the real client against the emulator's shard
 * logs and checkpoints, and the heartbeat function publishing it when `lagMetrics` is on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHeartbeatHandler } from '../../src/handlers/heartbeat.ts';
import { measureLag } from '../../src/lag/measure.ts';
import { heartbeatConfig } from '../helpers/configs.ts';
import { capturedMetrics, valuesOf } from '../helpers/emf.ts';
import { lambdaContext } from '../helpers/factories.ts';
import { recordingLogger } from '../helpers/logger.ts';
import { type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

const PROJECT = 'test-project';
const LOGSTORE = 'test-logstore';

let f: SlsFixture;
let t0: number;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 3 });
  t0 = f.clock.now();
});
afterEach(async () => {
  await f.close();
});

/** Shard 0 has consumed one of two log groups (received 90 s and 30 s ago); shard 1 all of its one. */
async function consumerState(): Promise<void> {
  const client = f.client();
  const zero = f.emulator.writeLogGroups(PROJECT, LOGSTORE, 0, [t0 - 90_000, t0 - 30_000]);
  f.emulator.writeLogGroups(PROJECT, LOGSTORE, 1, [t0 - 10_000]);
  await client.updateCheckpoint(f.target, { shard: 0, checkpoint: zero[1] as string, forceSuccess: true });
  const end = await client.getCursor(f.target, 1, 'end');
  await client.updateCheckpoint(f.target, { shard: 1, checkpoint: end, forceSuccess: true });
  // Shard 2 was never checkpointed.
  f.emulator.clearRequests();
}

/** One consumer of the fixture's group, lag on. */
const lagConfig = () =>
  heartbeatConfig({
    endpoint: f.emulator.url,
    targets: [{ project: PROJECT, logstore: LOGSTORE, consumerGroup: 'test-group', consumer: 'w1' }],
    requestTimeoutMs: 2_000,
    lagMetrics: true,
  });

const lagDeps = (logger = recordingLogger()) => ({
  client: f.client(),
  now: f.clock.now,
  deadline: t0 + 30_000,
  concurrency: 4,
  logger,
});

describe('measureLag', () => {
  it('is the age of the oldest log group not consumed yet, 0 for a caught-up shard', async () => {
    await consumerState();
    const [lag] = await measureLag([f.target], lagDeps());
    expect(lag).toEqual({ target: f.target, lagSeconds: 30, measured: 2, failed: 0 });
    // One GetCheckPoint, one GetCursor(end) per checkpointed shard, one GetCursorTime per shard behind.
    const ops = f.emulator.requests.map((r) => r.operation).sort();
    expect(ops).toEqual(['getCheckpoint', 'getCursor', 'getCursor', 'getCursorTime']);
  });

  it('leaves out a shard it cannot read, and a group whose checkpoints it cannot read', async () => {
    await consumerState();
    const logger = recordingLogger();
    // As when the checkpoint points at data the logstore no longer keeps.
    f.emulator.injectFault({
      operation: 'getCursorTime',
      action: { kind: 'error', status: 400, code: 'InvalidCursor' },
    });
    const [partial] = await measureLag([f.target], lagDeps(logger));
    expect(partial).toMatchObject({ lagSeconds: 0, measured: 1, failed: 1 });
    expect(logger.events('lag.shard_unavailable')[0]?.fields).toMatchObject({
      shard: 0,
      code: 'InvalidCursor',
    });

    const missing = { ...f.target, consumerGroup: 'no-such-group' };
    const [none] = await measureLag([missing], lagDeps(logger));
    expect(none).toMatchObject({ lagSeconds: undefined, measured: 0, failed: 0 });
    expect(logger.events('lag.unavailable')[0]?.fields).toMatchObject({ code: 'ConsumerGroupNotExist' });
  });
});

describe('the heartbeat function with lagMetrics', () => {
  it('publishes each group’s lag once per invocation, beside its beats', async () => {
    await consumerState();
    const metrics = capturedMetrics('group', 'hb');
    const logger = recordingLogger();
    const fn = createHeartbeatHandler({
      config: lagConfig(),
      client: f.client(),
      logger,
      now: f.clock.now,
      sleep: f.clock.sleep,
      metrics: metrics.scope,
    });
    const end = t0 + 50_000;
    const report = await fn(
      {},
      lambdaContext(() => end - f.clock.now()),
    );
    expect(report.rounds).toBe(3);
    const lag = metrics.records().filter((r) => 'Lag' in r.metrics);
    expect(lag).toHaveLength(1);
    expect(lag[0]?.dimensions).toEqual({
      Function: 'hb',
      ConsumerGroup: 'test-project/test-logstore/test-group',
    });
    expect(lag[0]?.dimensionSets).toEqual([['Function', 'ConsumerGroup'], ['Function']]);
    expect(lag[0]?.metrics.Lag?.unit).toBe('Seconds');
    // Measured while the beats run on the same (simulated) clock: 30 s plus however far it moved.
    expect(valuesOf(lag[0]).Lag).toBeGreaterThanOrEqual(30);
    expect(valuesOf(lag[0]).Lag).toBeLessThanOrEqual(70);
    expect(logger.events('lag.measured')[0]?.fields).toMatchObject({
      groups: [{ group: 'test-project/test-logstore/test-group', shards: 2, failedShards: 0 }],
    });
    expect(f.emulator.requests.filter((r) => r.operation === 'getCursorTime')).toHaveLength(1);
  });

  it('refuses lagMetrics with a client that cannot read cursors', () => {
    expect(() =>
      createHeartbeatHandler({
        config: lagConfig(),
        client: {
          heartbeat: async () => [],
          getCheckpoints: async () => [],
          createConsumerGroup: async () => {},
        },
      }),
    ).toThrow(/getCursor/);
  });
});
