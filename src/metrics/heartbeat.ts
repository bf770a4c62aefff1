/**
 * The heartbeat function's metrics: one record per beat round (and group), so every minute holds
 * about three samples and a minute without a successful beat stands out; and one lag record per
 * group when lag is measured.
 */
import type { RoundBeat } from '../heartbeat/types.ts';
import type { GroupLag } from '../lag/measure.ts';
import { groupName } from '../sls/names.ts';
import type { Metric } from './emf.ts';
import { bucketsOf, dimensionsOf, type MetricsScope } from './scope.ts';

export interface HeartbeatMetrics {
  /** A round's beats (taken at `at`, epoch ms). */
  round(at: number, beats: readonly RoundBeat[]): void;
  /** Each group's lag, as measured at `at`; groups that could not be measured are left out. */
  lag(at: number, lags: readonly GroupLag[]): void;
}

/** The heartbeat metrics of `scope` (see docs/monitoring.md for their meaning). */
export function heartbeatMetrics(scope: MetricsScope): HeartbeatMetrics {
  if (scope.level === 'off') return { round: () => {}, lag: () => {} };
  return {
    round: (at, beats) => {
      for (const [group, bucket] of bucketsOf(scope, beats, (b) => groupName(b.target))) {
        const gaps = bucket.flatMap((b) =>
          b.sinceLastSuccessMs === undefined ? [] : [b.sinceLastSuccessMs],
        );
        const metrics: Metric[] = [
          { name: 'Beats', unit: 'Count', value: bucket.filter((b) => b.ok).length },
          { name: 'FailedBeats', unit: 'Count', value: bucket.filter((b) => !b.ok).length },
          { name: 'ReRegistrations', unit: 'Count', value: bucket.filter((b) => b.reRegistered).length },
          // One sample per target: Minimum shows a consumer left with no shard.
          { name: 'ShardsHeld', unit: 'Count', value: bucket.map((b) => b.shards) },
        ];
        if (gaps.length > 0) {
          metrics.push({ name: 'LongestBeatGap', unit: 'Seconds', value: Math.max(...gaps) / 1000 });
        }
        scope.sink.publish({ timestamp: at, ...dimensionsOf(scope, group), metrics });
      }
    },
    lag: (at, lags) => {
      const measured = lags.filter((l) => l.lagSeconds !== undefined);
      for (const [group, bucket] of bucketsOf(scope, measured, (l) => groupName(l.target))) {
        const value = Math.max(...bucket.map((l) => l.lagSeconds ?? 0));
        scope.sink.publish({
          timestamp: at,
          ...dimensionsOf(scope, group),
          metrics: [{ name: 'Lag', unit: 'Seconds', value }],
        });
      }
    },
  };
}
