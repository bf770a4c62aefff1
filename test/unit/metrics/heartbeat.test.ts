/**
 * The metric lines the heartbeat function prints, read back as CloudWatch would: names, units,
 * dimensions and values per beat round.
 */
import { describe, expect, it } from 'vitest';
import { createHeartbeatHandler } from '../../../src/handlers/heartbeat.ts';
import { createManualClock } from '../../helpers/clock.ts';
import { heartbeatConfig } from '../../helpers/configs.ts';
import { capturedMetrics, valuesOf } from '../../helpers/emf.ts';
import { lambdaContext } from '../../helpers/factories.ts';
import { apiError, createFakeSls, GROUP, LOGSTORE, PROJECT, recordingLogger } from '../heartbeat/fake-sls.ts';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const OTHER = 'other';

const config = heartbeatConfig();
const twoGroups = heartbeatConfig({
  targets: [
    ...config.targets,
    { project: PROJECT, logstore: LOGSTORE, consumerGroup: OTHER, consumer: 'c2' },
  ],
});

function setup(level: 'group' | 'function' | 'off', handlerConfig = config) {
  const clock = createManualClock(T0);
  const sls = createFakeSls(clock, { groups: [GROUP, OTHER] });
  const metrics = capturedMetrics(level, 'slscheckpoint-prod-heartbeat');
  const fn = createHeartbeatHandler({
    config: handlerConfig,
    client: sls.client,
    logger: recordingLogger(),
    now: clock.now,
    sleep: clock.sleep,
    metrics: metrics.scope,
  });
  /** One scheduled invocation at `at` with a 50 s timeout. */
  const invoke = async (at: number) => {
    clock.set(at);
    const end = at + 50_000;
    return fn(
      { source: 'aws.scheduler' },
      lambdaContext(() => end - clock.now()),
    );
  };
  return { clock, sls, metrics, invoke };
}

describe('heartbeat metrics', () => {
  it('prints one line per round and group: counts, shards held per target, under function and group', async () => {
    const s = setup('group', twoGroups);
    await s.invoke(T0);
    const records = s.metrics.records();
    expect(records).toHaveLength(6);
    expect(records.map((r) => [r.timestamp, r.dimensions.ConsumerGroup])).toEqual([
      [T0, 'proj/store/group'],
      [T0, 'proj/store/other'],
      [T0 + 20_000, 'proj/store/group'],
      [T0 + 20_000, 'proj/store/other'],
      [T0 + 40_000, 'proj/store/group'],
      [T0 + 40_000, 'proj/store/other'],
    ]);
    for (const r of records) {
      expect(r.namespace).toBe('Test');
      expect(r.dimensionSets).toEqual([['Function', 'ConsumerGroup'], ['Function']]);
      expect(r.dimensions.Function).toBe('slscheckpoint-prod-heartbeat');
    }
    // A cold start knows no previous beat, so the first round has no gap.
    expect(records[0]?.metrics).toEqual({
      Beats: { unit: 'Count', value: 1 },
      FailedBeats: { unit: 'Count', value: 0 },
      ReRegistrations: { unit: 'Count', value: 0 },
      ShardsHeld: { unit: 'Count', value: [4] },
    });
    expect(records[2]?.metrics.LongestBeatGap).toEqual({ unit: 'Seconds', value: 20 });
    expect(s.metrics.errors).toEqual([]);
  });

  it('counts failed beats and shows the gap growing while beats fail, and re-registrations', async () => {
    const s = setup('group');
    await s.invoke(T0);
    s.sls.fail('heartbeat', apiError('InternalServerError', 500), { consumer: 'c1' });
    await s.invoke(T0 + 60_000);
    // Last success at T0 + 100 s; the consumer expires (60 s timeout) before the next invocation.
    await s.invoke(T0 + 300_000);
    const rounds = s.metrics.records().map(valuesOf);
    expect(rounds.slice(3, 5)).toEqual([
      // The open gap at the failed beat: 20 s since the previous success (T0 + 40 s).
      { Beats: 0, FailedBeats: 1, ReRegistrations: 0, ShardsHeld: [4], LongestBeatGap: 20 },
      { Beats: 1, FailedBeats: 0, ReRegistrations: 0, ShardsHeld: [4], LongestBeatGap: 40 },
    ]);
    expect(rounds[6]).toEqual({
      Beats: 1,
      FailedBeats: 0,
      ReRegistrations: 1,
      ShardsHeld: [4],
      LongestBeatGap: 200,
    });
  });

  it('at level function prints one line per round, under the function only', async () => {
    const s = setup('function', twoGroups);
    await s.invoke(T0);
    const records = s.metrics.records();
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.dimensionSets).toEqual([['Function']]);
      expect(r.dimensions).toEqual({ Function: 'slscheckpoint-prod-heartbeat' });
    }
    expect(valuesOf(records[1])).toEqual({
      Beats: 2,
      FailedBeats: 0,
      ReRegistrations: 0,
      ShardsHeld: [4, 4],
      LongestBeatGap: 20,
    });
  });

  it('prints nothing at level off', async () => {
    const s = setup('off');
    await s.invoke(T0);
    expect(s.metrics.lines).toEqual([]);
  });
});
