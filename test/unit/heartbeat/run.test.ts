import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeartbeatDeps, runHeartbeats } from '../../../src/heartbeat/run.ts';
import { createHeartbeatState, type HeartbeatState, stateKey } from '../../../src/heartbeat/state.ts';
import type { HeartbeatTarget } from '../../../src/heartbeat/types.ts';
import { SlsNetworkError } from '../../../src/sls/errors.ts';
import { createManualClock, createSimulatedClock, type ManualClock } from '../../helpers/clock.ts';
import {
  apiError,
  createFakeSls,
  type FakeSls,
  GROUP,
  LOGSTORE,
  PROJECT,
  recordingLogger,
  target,
} from './fake-sls.ts';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

interface Setup {
  readonly clock: ManualClock;
  readonly sls: FakeSls;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly state: HeartbeatState;
  /** One invocation with `budgetMs` of remaining time (default 55 s). */
  invoke(
    targets?: readonly HeartbeatTarget[],
    overrides?: Partial<HeartbeatDeps> & { budgetMs?: number },
  ): ReturnType<typeof runHeartbeats>;
}

function setup(options: Parameters<typeof createFakeSls>[1] = {}, clock = createManualClock(T0)): Setup {
  const sls = createFakeSls(clock, options);
  const logger = recordingLogger();
  const state = createHeartbeatState();
  return {
    clock,
    sls,
    logger,
    state,
    invoke: (targets = [target()], overrides = {}) => {
      const end = clock.now() + (overrides.budgetMs ?? 55_000);
      return runHeartbeats(targets, {
        client: sls.client,
        now: clock.now,
        sleep: clock.sleep,
        remainingMs: () => end - clock.now(),
        intervalMs: 20_000,
        safetyMarginMs: 3_000,
        concurrency: 4,
        logger,
        state,
        groupTimeoutMs: 60_000,
        minBeatMs: 5_000,
        ...overrides,
      });
    },
  };
}

const offsets = (calls: readonly { at: number }[], from = T0) => calls.map((c) => c.at - from);

describe('cadence and stop condition', () => {
  it('beats at 0, 20 and 40 s of a 55 s budget, then returns without waiting for a beat that cannot fit', async () => {
    const s = setup();
    const report = await s.invoke();
    expect(report.rounds).toBe(3);
    expect(offsets(s.sls.heartbeats())).toEqual([0, 20_000, 40_000]);
    // Each beat may run until the next slot, the last one until the end minus the margin.
    expect(s.sls.heartbeats().map((c) => (c.deadline ?? 0) - T0)).toEqual([20_000, 40_000, 52_000]);
    // It returned right after the last beat rather than sleeping towards 60 s.
    expect(s.clock.now() - T0).toBe(40_000);
    expect(report.targets[0]).toMatchObject({
      beats: 3,
      failures: 0,
      reRegistrations: 0,
      shards: [0, 1, 2, 3],
    });
    expect(report.targets[0]?.lastError).toBeUndefined();
  });

  it('keeps a fixed cadence when beats take time (no drift)', async () => {
    const s = setup();
    s.sls.latencyMs = 1_500;
    await s.invoke();
    // The cold-start checkpoint read also takes 1.5 s: the first beat starts at 1.5 s.
    expect(offsets(s.sls.heartbeats())).toEqual([1_500, 20_000, 40_000]);
  });

  it('cuts a slow beat at the next slot, which then starts on time', async () => {
    const s = setup();
    s.sls.latencyMs = (call) => (call.op === 'heartbeat' && call.at === T0 ? 30_000 : 0);
    const report = await s.invoke(undefined, { budgetMs: 90_000 });
    // The first beat is cut at its deadline (20 s); the 20 s slot is then due at once, the rest on the grid.
    expect(offsets(s.sls.heartbeats())).toEqual([0, 20_000, 40_000, 60_000, 80_000]);
    expect(report.rounds).toBe(5);
  });

  it('collapses several missed slots into one immediate beat', async () => {
    const s = setup();
    // The fake ignores the deadline for this one call, as a wedged request might.
    let first = true;
    const client = {
      ...s.sls.client,
      heartbeat: async (...args: Parameters<typeof s.sls.client.heartbeat>) => {
        if (first) {
          first = false;
          s.clock.advance(50_000);
        }
        return s.sls.client.heartbeat(...args);
      },
    };
    await s.invoke(undefined, { client, budgetMs: 120_000 });
    // 0 (took until 50 s), 40 s slot at once (50 s), then 60, 80, 100.
    expect(offsets(s.sls.heartbeats())).toEqual([50_000, 50_000, 60_000, 80_000, 100_000]);
  });

  it('beats once when the budget fits one beat only', async () => {
    const s = setup();
    const report = await s.invoke(undefined, { budgetMs: 10_000 });
    expect(report.rounds).toBe(1);
    expect(s.sls.heartbeats()[0]?.deadline).toBe(T0 + 7_000);
  });

  it('sends nothing and says so when not even one beat fits', async () => {
    const s = setup();
    const report = await s.invoke(undefined, { budgetMs: 7_999 });
    expect(report.rounds).toBe(0);
    expect(s.sls.calls).toEqual([]);
    expect(s.logger.events('heartbeat.no_time')).toHaveLength(1);
    expect(report.targets[0]).toMatchObject({ beats: 0, failures: 0, shards: [] });
  });

  it('starts no further round once the signal is aborted', async () => {
    const s = setup();
    const controller = new AbortController();
    s.sls.latencyMs = (call) => {
      if (call.op === 'heartbeat') controller.abort();
      return 0;
    };
    const report = await s.invoke(undefined, { signal: controller.signal });
    expect(report.rounds).toBe(1);
  });

  it('never lets a request run past the invocation end minus the margin, and keeps the cadence', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          budgetMs: fc.integer({ min: 0, max: 900_000 }),
          intervalMs: fc.integer({ min: 1_000, max: 300_000 }),
          safetyMarginMs: fc.integer({ min: 0, max: 10_000 }),
          minBeatMs: fc.integer({ min: 100, max: 10_000 }),
          latencies: fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: 1, maxLength: 20 }),
        }),
        async ({ budgetMs, intervalMs, safetyMarginMs, minBeatMs, latencies }) => {
          const s = setup();
          let n = 0;
          s.sls.latencyMs = () => latencies[n++ % latencies.length] ?? 0;
          const end = T0 + budgetMs;
          const report = await s.invoke(undefined, { budgetMs, intervalMs, safetyMarginMs, minBeatMs });
          const limit = end - safetyMarginMs;
          for (const call of s.sls.calls) {
            expect(call.deadline).toBeLessThanOrEqual(limit);
            expect(call.at).toBeLessThanOrEqual(limit);
          }
          expect(s.clock.now()).toBeLessThanOrEqual(Math.max(T0, limit));
          expect(report.rounds > 0).toBe(budgetMs >= minBeatMs + safetyMarginMs);
          // Rounds start on the grid, or at once when a round used up its slot.
          const starts = s.logger.events('heartbeat.round').map((l) => l.fields);
          for (const r of starts) expect(r.lateMs).toBeGreaterThanOrEqual(0);
          expect(starts.every((r) => (r.durationMs as number) <= Math.max(intervalMs, minBeatMs))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('held shards', () => {
  it('on a cold start reports the shards the checkpoints name this consumer as holding', async () => {
    const s = setup();
    s.sls.model.heartbeat(PROJECT, LOGSTORE, GROUP, 'c1', [], T0 - 10_000); // c1 holds 0-3 in SLS's view
    const report = await s.invoke(undefined, { budgetMs: 10_000 });
    expect(s.sls.calls.map((c) => c.op)).toEqual(['getCheckpoints', 'heartbeat']);
    expect(s.sls.heartbeats()[0]?.shards).toEqual([0, 1, 2, 3]);
    expect(s.logger.events('heartbeat.shards_recovered')[0]?.fields.shards).toEqual([0, 1, 2, 3]);
    expect(s.logger.events('heartbeat.shards_changed')).toEqual([]);
    expect(report.targets[0]?.shards).toEqual([0, 1, 2, 3]);
  });

  it('registers with [] when the checkpoints cannot be read, and reads them again while no beat got through', async () => {
    const s = setup();
    s.sls.fail('getCheckpoints', apiError('InternalServerError', 500, 'GetCheckPoint'));
    s.sls.fail('heartbeat', apiError('InternalServerError', 500));
    await s.invoke();
    expect(s.sls.calls.map((c) => `${c.op}${c.shards ? JSON.stringify(c.shards) : ''}`)).toEqual([
      'getCheckpoints',
      'heartbeat[]',
      'getCheckpoints',
      'heartbeat[]',
      'heartbeat[0,1,2,3]',
    ]);
    expect(s.logger.events('heartbeat.checkpoints_unavailable')).toHaveLength(1);
  });

  it('reports what SLS assigned last, across warm invocations, without reading checkpoints again', async () => {
    const s = setup();
    await s.invoke();
    s.clock.set(T0 + 60_000);
    const before = s.sls.calls.length;
    await s.invoke();
    const later = s.sls.calls.slice(before);
    expect(later.map((c) => c.op)).toEqual(['heartbeat', 'heartbeat', 'heartbeat']);
    expect(later[0]?.shards).toEqual([0, 1, 2, 3]);
  });

  it('keeps the previous set when a beat fails, and reports it again on the next beat', async () => {
    const s = setup();
    s.state.set(stateKey(target()), { shards: [1, 2], lastSuccessAt: T0 - 20_000 });
    s.sls.model.heartbeat(PROJECT, LOGSTORE, GROUP, 'c1', [], T0 - 20_000);
    s.sls.fail(
      'heartbeat',
      new SlsNetworkError('ConsumerGroupHeartBeat failed: socket hang up', {
        code: 'NetworkError',
        retryable: true,
      }),
      { times: 2 },
    );
    const report = await s.invoke();
    expect(s.sls.heartbeats().map((c) => c.shards)).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(report.targets[0]).toMatchObject({
      beats: 1,
      failures: 2,
      lastError: { code: 'NetworkError', retryable: true },
    });
    const failed = s.logger.events('heartbeat.beat_failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]?.fields).toMatchObject({ consumer: 'c1', shards: [1, 2] });
  });

  it('summarizes the kept set when every beat of the invocation failed', async () => {
    const s = setup();
    s.state.set(stateKey(target()), { shards: [3], lastSuccessAt: T0 - 5_000 });
    s.sls.fail('heartbeat', apiError('ServerBusy', 503), { times: 10 });
    const report = await s.invoke();
    expect(report.targets[0]).toMatchObject({ shards: [3], beats: 0, failures: 3 });
    // The shards and the last success are kept; only the start of the last attempt moved on.
    expect(s.state.get(stateKey(target()))).toEqual({
      shards: [3],
      lastSuccessAt: T0 - 5_000,
      lastStartedAt: T0 + 40_000,
    });
  });
});

describe('recovery', () => {
  it('registers again at once with [] when SLS says the consumer expired', async () => {
    const s = setup();
    // We remember holding 0 and 1, but SLS expired us long ago.
    s.state.set(stateKey(target()), { shards: [0, 1], lastSuccessAt: T0 - 120_000 });
    const report = await s.invoke(undefined, { budgetMs: 10_000 });
    const beats = s.sls.heartbeats();
    expect(beats.map((c) => c.shards)).toEqual([[0, 1], []]);
    expect(beats[1]?.at).toBe(T0);
    expect(report.targets[0]).toMatchObject({
      beats: 1,
      failures: 0,
      reRegistrations: 1,
      shards: [0, 1, 2, 3],
    });
    expect(s.logger.events('heartbeat.re_registered')[0]?.fields).toMatchObject({
      previousShards: [0, 1],
      shards: [0, 1, 2, 3],
      sinceLastSuccessMs: 120_000,
    });
    expect(s.logger.events('heartbeat.shards_changed')[0]?.fields).toMatchObject({
      added: [2, 3],
      removed: [],
    });
  });

  it('creates a missing group when allowed, then registers with []', async () => {
    const s = setup({ groups: [] });
    const report = await s.invoke(undefined, {
      budgetMs: 10_000,
      createConsumerGroup: { timeoutSeconds: 60, inOrder: false },
    });
    expect(s.sls.calls.map((c) => c.op)).toEqual([
      'getCheckpoints',
      'heartbeat',
      'createConsumerGroup',
      'heartbeat',
    ]);
    expect(report.targets[0]).toMatchObject({ beats: 1, failures: 0, shards: [0, 1, 2, 3] });
    expect(s.logger.events('heartbeat.group_created')).toHaveLength(1);
    expect(s.sls.model.consumers(PROJECT, LOGSTORE, GROUP).map((c) => c.name)).toEqual(['c1']);
  });

  it('treats ConsumerGroupAlreadyExist as success (someone created it meanwhile)', async () => {
    const s = setup();
    s.state.set(stateKey(target()), { shards: [], lastSuccessAt: T0 - 1_000 });
    s.sls.fail('heartbeat', apiError('ConsumerGroupNotExist', 404));
    const report = await s.invoke(undefined, {
      budgetMs: 10_000,
      createConsumerGroup: { timeoutSeconds: 60, inOrder: false },
    });
    expect(s.sls.calls.map((c) => c.op)).toEqual(['heartbeat', 'createConsumerGroup', 'heartbeat']);
    expect(report.targets[0]).toMatchObject({ beats: 1, failures: 0 });
    expect(report.targets[0]?.lastError).toBeUndefined();
    expect(s.logger.events('heartbeat.group_already_existed')).toHaveLength(1);
  });

  it('reports a missing group as a failure when creating it is not allowed', async () => {
    const s = setup({ groups: [] });
    const report = await s.invoke(undefined, { budgetMs: 10_000 });
    expect(s.sls.calls.map((c) => c.op)).toEqual(['getCheckpoints', 'heartbeat']);
    expect(report.targets[0]).toMatchObject({
      beats: 0,
      failures: 1,
      lastError: { code: 'ConsumerGroupNotExist', status: 404, retryable: false, requestId: 'REQ0001' },
    });
  });

  it('warns when the time since the last successful beat reaches half the group timeout', async () => {
    const s = setup();
    s.state.set(stateKey(target()), { shards: [0], lastSuccessAt: T0 - 5_000 });
    s.sls.fail('heartbeat', apiError('InternalServerError', 500), { times: 3 });
    await s.invoke();
    // Failures at 0, 20 and 40 s: 5, 25 and 45 s since the last success; 30 s is the threshold.
    const warnings = s.logger.events('heartbeat.at_risk');
    expect(warnings.map((w) => w.fields.sinceLastSuccessMs)).toEqual([45_000]);
    expect(warnings[0]).toMatchObject({
      level: 'warn',
      fields: { groupTimeoutMs: 60_000, shards: [0], code: 'InternalServerError', consumer: 'c1' },
    });
  });

  it('counts from the invocation start when no beat ever succeeded', async () => {
    const s = setup();
    s.sls.fail('heartbeat', apiError('InternalServerError', 500), { times: 3 });
    await s.invoke(undefined, { atRiskRatio: 0.25 });
    expect(s.logger.events('heartbeat.at_risk').map((w) => w.fields.sinceLastSuccessMs)).toEqual([
      20_000, 40_000,
    ]);
  });
});

describe('several targets', () => {
  it('serves every target each round, at most `concurrency` at once, each on its own', async () => {
    const groups = ['g1', 'g2', 'g3', 'g4', 'g5'];
    const s = setup({ groups });
    s.sls.fail('heartbeat', apiError('LogStoreNotExist', 404), { times: 10, consumer: 'c-g3' });
    const targets = groups.map((g) => target(`c-${g}`, g));
    const report = await s.invoke(targets, { concurrency: 2 });
    expect(s.sls.maxInFlight).toBe(2);
    expect(report.rounds).toBe(3);
    expect(report.targets.map((t) => [t.consumerGroup, t.beats, t.failures])).toEqual([
      ['g1', 3, 0],
      ['g2', 3, 0],
      ['g3', 0, 3],
      ['g4', 3, 0],
      ['g5', 3, 0],
    ]);
    for (const g of ['g1', 'g2', 'g4', 'g5']) {
      expect(s.sls.model.consumers(PROJECT, LOGSTORE, g).map((c) => c.name)).toEqual([`c-${g}`]);
    }
  });

  it('logs one line per round, and one per change of assigned shards', async () => {
    const s = setup();
    const report = await s.invoke([target('c1'), target('c2')], { concurrency: 1 });
    const rounds = s.logger.events('heartbeat.round');
    expect(rounds).toHaveLength(report.rounds);
    expect(rounds[0]).toMatchObject({
      level: 'info',
      fields: { round: 1, lateMs: 0, ok: 2, failed: 0 },
    });
    expect(rounds[0]?.fields.targets).toEqual([
      // c1 registers first and gets all four; it reported holding none, so two move to c2 at once.
      { group: 'proj/store/group', consumer: 'c1', ok: true, shards: [0, 1, 2, 3] },
      { group: 'proj/store/group', consumer: 'c2', ok: true, shards: [2, 3] },
    ]);
    const changes = s.logger
      .events('heartbeat.shards_changed')
      .map((l) => [l.fields.consumer, l.fields.added, l.fields.removed]);
    expect(changes).toEqual([
      ['c1', [0, 1, 2, 3], []],
      ['c2', [2, 3], []],
      ['c1', [], [2, 3]],
    ]);
    expect(report.targets.map((t) => t.shards)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('marks a round with a failure as a warning and names the code', async () => {
    const s = setup();
    s.sls.fail('heartbeat', apiError('InternalServerError', 500));
    await s.invoke(undefined, { budgetMs: 10_000 });
    expect(s.logger.events('heartbeat.round')[0]).toMatchObject({
      level: 'warn',
      fields: {
        ok: 0,
        failed: 1,
        targets: [{ consumer: 'c1', ok: false, shards: [], code: 'InternalServerError' }],
      },
    });
  });
});

describe('more targets than one interval can serve', () => {
  // The case at a tenth of production time: 100 targets, 8 at once, 250 ms per call,
  // 2 s interval, 0.5 s request timeout, 5.5 s invocations once every 6 s, group timeout 6 s.
  const scaled = {
    intervalMs: 2_000,
    concurrency: 8,
    minBeatMs: 500,
    safetyMarginMs: 300,
    groupTimeoutMs: 6_000,
  };
  const targets = Array.from({ length: 100 }, (_, i) => target(`c${i}`));

  /** Calls overlap in simulated time: eight 250 ms calls at once take 250 ms, not 2 s. */
  function simulated(): Setup {
    const clock = createSimulatedClock(T0);
    const s = setup({}, clock);
    return { ...s, invoke: (t, overrides) => clock.run(s.invoke(t, overrides)) };
  }

  async function invocations(s: Setup, count: number) {
    const reports = [];
    for (let i = 0; i < count; i++) {
      s.clock.set(T0 + i * 6_000);
      reports.push(await s.invoke(targets, { ...scaled, budgetMs: 5_500 }));
    }
    return reports;
  }

  it('gives every target its beats in turn: none starves, and once all are warm none waits long enough to expire', async () => {
    const s = simulated();
    s.sls.latencyMs = 250;
    const reports = await invocations(s, 6);
    // The cold start costs a checkpoint read per target: 80 fit the first invocation, the other
    // 20 go first in the second. From then on every target beats in every invocation.
    expect(reports[0]?.targets.filter((t) => t.beats > 0)).toHaveLength(80);
    for (const report of reports.slice(1)) {
      expect(report.targets.filter((t) => t.beats === 0).map((t) => t.consumer)).toEqual([]);
    }
    // Nothing is started without the time for it: a target waits for its turn instead of failing.
    expect(reports.flatMap((r) => r.targets).filter((t) => t.failures > 0)).toEqual([]);
    const warmFrom = T0 + 2 * 6_000;
    for (const t of targets) {
      const times = s.sls.heartbeats(t.consumer).map((c) => c.at);
      const gaps = times.slice(1).map((at, i) => [times[i] ?? 0, at - (times[i] ?? 0)] as const);
      // Targets fit 4.4 s at this rate (not one 2 s interval), so the longest wait is about that.
      const warm = gaps.filter(([from]) => from >= warmFrom).map(([, gap]) => gap);
      expect(Math.max(...warm), t.consumer).toBeLessThan(scaled.groupTimeoutMs);
      expect(Math.max(...gaps.map(([, gap]) => gap)), t.consumer).toBeLessThanOrEqual(6_000 + 2_000);
    }
  });

  it('uses the tail of every round: a beat starts while twice the recent beats fit, not a whole request timeout', async () => {
    const s = simulated();
    s.sls.latencyMs = 250;
    // Production timing: rounds at 0, 20 and 40 s of a 50 s invocation that started 0.5 s late,
    // so the last round must end by 46.5 s; a request may take 5 s.
    const production = { intervalMs: 20_000, concurrency: 8, minBeatMs: 5_000, safetyMarginMs: 3_000 };
    await s.invoke(targets, { ...production, budgetMs: 49_500 });
    s.clock.set(T0 + 60_000);
    const warm = await s.invoke(targets, { ...production, budgetMs: 49_500 });
    // 100 beats of 250 ms, 8 at once, take 3.1 s. Keeping 5 s back per beat, the last round
    // started beats in its first 1.5 s only (56 of 100); keeping twice 250 ms, all of them.
    expect(warm.rounds).toBe(3);
    expect(warm.targets.filter((t) => t.beats < 3).map((t) => t.consumer)).toEqual([]);
    expect(s.logger.events('heartbeat.over_capacity')).toEqual([]);
  });

  it('starts no beat with less time left than the client needs to start an attempt', async () => {
    const s = simulated();
    s.sls.latencyMs = 10;
    // 100 beats of 10 ms one at a time fill a 1 s round: its tail is reached every round.
    await s.invoke(targets, {
      ...scaled,
      intervalMs: 1_000,
      concurrency: 1,
      minAttemptMs: 250,
      budgetMs: 5_500,
    });
    const left = s.sls.heartbeats().map((c) => (c.deadline ?? 0) - c.at);
    expect(left.length).toBeGreaterThan(100);
    expect(Math.min(...left)).toBeGreaterThanOrEqual(250);
  });

  it('takes turns across warm invocations too, when one invocation cannot serve every target', async () => {
    const s = simulated();
    s.sls.latencyMs = 250;
    // One at a time, a cold target takes 500 ms: ten fit an invocation, for thirty targets.
    const thirty = targets.slice(0, 30);
    const served = [];
    for (let i = 0; i < 3; i++) {
      s.clock.set(T0 + i * 6_000);
      const report = await s.invoke(thirty, { ...scaled, concurrency: 1, budgetMs: 5_500 });
      served.push(report.targets.filter((t) => t.beats > 0).map((t) => Number(t.consumer.slice(1))));
    }
    const range = (from: number) => Array.from({ length: 10 }, (_, i) => from + i);
    expect(served).toEqual([range(0), range(10), range(20)]);
  });

  it('warns once per invocation, with the numbers, when the targets do not fit one interval', async () => {
    const s = simulated();
    s.sls.latencyMs = 250;
    await invocations(s, 3);
    const warnings = s.logger.events('heartbeat.over_capacity');
    expect(warnings).toHaveLength(3);
    // The third invocation, all targets warm: one beat each.
    expect(warnings[2]).toMatchObject({
      level: 'warn',
      fields: {
        targets: 100,
        concurrency: 8,
        intervalMs: 2_000,
        beatMs: 250,
        // 100 targets x 250 ms / 8 at once
        neededMs: 3_125,
        // Beats start while 500 ms (a request's time) are left of the 2 s round: 7 x 8.
        started: 56,
        waiting: 44,
      },
    });
  });

  it('does not warn when the targets fit', async () => {
    const s = simulated();
    s.sls.latencyMs = 100;
    await s.invoke(targets.slice(0, 20), { ...scaled, budgetMs: 5_500 });
    expect(s.logger.events('heartbeat.over_capacity')).toEqual([]);
  });
});
