/**
 * The checkpoint function's metrics: one record per invocation with its totals, and at level
 * `group` one per consumer group the batch touched with what became of its records.
 */
import type { RecordFate } from '../checkpoint/batch.ts';
import type { CheckpointSummary } from '../checkpoint/report.ts';
import { groupName } from '../sls/names.ts';
import { dimensionsOf, FUNCTION_DIMENSION, GROUP_DIMENSION, type MetricsScope } from './scope.ts';

/** An invocation's totals: its summary's counts, and the requests it made. */
export interface CheckpointCounts extends Omit<CheckpointSummary, 'source' | 'updates'> {
  /** UpdateCheckPoint calls made (a call's own retries not counted). */
  readonly requests: number;
  /** GetCheckPoint read-backs after a write whose outcome was ambiguous. */
  readonly readBacks: number;
}

export interface CheckpointMetrics {
  /** One invocation's outcome at `at` (epoch ms); `fates` (one per record) give the per-group split. */
  invocation(at: number, counts: CheckpointCounts, fates?: readonly RecordFate[]): void;
  /** An invocation that failed outside the use case: none of its `records` is known to have landed. */
  lost(at: number, records: number): void;
}

/** Metric name of each total. */
const TOTALS: readonly (readonly [keyof CheckpointCounts, string])[] = [
  ['records', 'Records'],
  ['applied', 'Applied'],
  ['skipped', 'Skipped'],
  ['invalid', 'Invalid'],
  ['failed', 'Failed'],
  ['blocked', 'Blocked'],
  ['requests', 'Requests'],
  ['readBacks', 'ReadBacks'],
  ['coalesced', 'Coalesced'],
];
const NOTHING: CheckpointCounts = {
  records: 0,
  applied: 0,
  skipped: 0,
  invalid: 0,
  failed: 0,
  blocked: 0,
  requests: 0,
  readBacks: 0,
  coalesced: 0,
};
/** What a record of a known group can become, and its metric name (invalid records have no group). */
const GROUP_FATES = [
  ['applied', 'Applied'],
  ['skipped', 'Skipped'],
  ['failed', 'Failed'],
  ['blocked', 'Blocked'],
] as const;

/** The checkpoint metrics of `scope` (see docs/monitoring.md for their meaning). */
export function checkpointMetrics(scope: MetricsScope): CheckpointMetrics {
  if (scope.level === 'off') return { invocation: () => {}, lost: () => {} };
  const totals = (at: number, counts: CheckpointCounts) =>
    scope.sink.publish({
      timestamp: at,
      ...dimensionsOf(scope, undefined),
      metrics: TOTALS.map(([key, name]) => ({ name, unit: 'Count', value: counts[key] })),
    });
  return {
    lost: (at, records) => {
      if (records > 0) totals(at, { ...NOTHING, records, failed: records });
    },
    invocation: (at, counts, fates = []) => {
      totals(at, counts);
      if (scope.level !== 'group') return;
      const groups = new Map<string, RecordFate[]>();
      for (const fate of fates) {
        if (fate.status === 'invalid') continue;
        const name = groupName(fate.command);
        const list = groups.get(name);
        if (list === undefined) groups.set(name, [fate]);
        else list.push(fate);
      }
      for (const [group, of] of groups) {
        scope.sink.publish({
          timestamp: at,
          // Per group only: the function's totals are in the record above.
          dimensions: { [FUNCTION_DIMENSION]: scope.functionName, [GROUP_DIMENSION]: group },
          metrics: [
            { name: 'Records', unit: 'Count', value: of.length },
            ...GROUP_FATES.map(([status, name]) => ({
              name,
              unit: 'Count' as const,
              value: of.filter((f) => f.status === status).length,
            })),
          ],
        });
      }
    },
  };
}
