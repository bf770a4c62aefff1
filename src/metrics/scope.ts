/**
 * What every metric of one function shares: where records go, the `Function` dimension, and how
 * much detail is published. Dimensions stay low-cardinality: the function and the consumer
 * group, never a shard, consumer or message id.
 */
import { type MetricsSink, noMetrics } from './emf.ts';

/** `group`: per consumer group and per function; `function`: per function only; `off`: none. */
export type MetricsLevel = 'group' | 'function' | 'off';

export const METRICS_LEVELS: readonly MetricsLevel[] = ['group', 'function', 'off'];
/** The default CloudWatch namespace (`METRICS_NAMESPACE`). */
export const DEFAULT_NAMESPACE = 'SlsCheckpoint';
export const FUNCTION_DIMENSION = 'Function';
export const GROUP_DIMENSION = 'ConsumerGroup';

export interface MetricsScope {
  readonly sink: MetricsSink;
  /** The `Function` dimension: the deployed function's name. */
  readonly functionName: string;
  readonly level: MetricsLevel;
}

/** Publishes nothing. */
export const metricsOff: MetricsScope = { sink: noMetrics, functionName: 'none', level: 'off' };

/**
 * The dimensions of values that belong to `group` (undefined: to the function as a whole). At
 * level `group` a group's values are published twice, per group and per function (CloudWatch
 * aggregates the function's from every group's); at level `function` only per function.
 */
export function dimensionsOf(scope: MetricsScope, group: string | undefined) {
  const fn = { [FUNCTION_DIMENSION]: scope.functionName };
  if (scope.level !== 'group' || group === undefined) {
    return { dimensions: fn, dimensionSets: [[FUNCTION_DIMENSION]] };
  }
  return {
    dimensions: { ...fn, [GROUP_DIMENSION]: group },
    dimensionSets: [[FUNCTION_DIMENSION, GROUP_DIMENSION], [FUNCTION_DIMENSION]],
  };
}

/**
 * Groups items by their consumer group, or all into one bucket (key undefined) below level
 * `group`, so a function-level record is written once, not once per group.
 */
export function bucketsOf<T>(
  scope: MetricsScope,
  items: readonly T[],
  groupOf: (item: T) => string | undefined,
): Map<string | undefined, T[]> {
  const buckets = new Map<string | undefined, T[]>();
  for (const item of items) {
    const key = scope.level === 'group' ? groupOf(item) : undefined;
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [item]);
    else bucket.push(item);
  }
  return buckets;
}
