/**
 * CloudWatch Embedded Metric Format (EMF): each metric record is one JSON log line that
 * CloudWatch Logs turns into metrics by itself. No PutMetricData call, so no extra latency, no
 * IAM grant and nothing that can fail an invocation.
 *
 * Our own small writer rather than `@aws-lambda-powertools/metrics`: see `npm run bench --
 * metrics` and docs/monitoring.md for the measured difference and the reasons.
 */

/** The CloudWatch units these functions use. */
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'None';

export interface Metric {
  readonly name: string;
  readonly unit: MetricUnit;
  /** One value, or up to 100 values that CloudWatch counts as separate samples. */
  readonly value: number | readonly number[];
}

export interface MetricRecord {
  /** Epoch ms the values belong to. */
  readonly timestamp: number;
  /** Dimension name to value: keep both low-cardinality (never a shard or a message id). */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * The dimension combinations each metric is published under (each a list of names from
   * `dimensions`); default: one set with every dimension.
   */
  readonly dimensionSets?: readonly (readonly string[])[] | undefined;
  readonly metrics: readonly Metric[];
}

/** Where records go. Implementations never throw: metrics must not fail an invocation. */
export interface MetricsSink {
  publish(record: MetricRecord): void;
}

/** Drops everything (metrics off, and the default of code that is not given a sink). */
export const noMetrics: MetricsSink = { publish: () => {} };

/** EMF's limits, from the specification and CloudWatch's PutMetricData rules. */
const MAX_METRICS = 100;
const MAX_VALUES = 100;
const MAX_DIMENSIONS_PER_SET = 30;
const MAX_NAME_CHARS = 255;
const MAX_DIMENSION_VALUE_CHARS = 1024;

/** A record EMF would reject (CloudWatch drops such lines silently, so we refuse them loudly). */
export class MetricRecordError extends Error {
  override name = 'MetricRecordError';
  readonly code = 'InvalidMetricRecord';
}

const fail = (message: string): never => {
  throw new MetricRecordError(message);
};

function checkName(kind: string, name: string): void {
  if (name.length === 0 || name.length > MAX_NAME_CHARS || name !== name.trim()) {
    fail(
      `${kind} name ${JSON.stringify(name.slice(0, 40))} must be 1-${MAX_NAME_CHARS} characters without surrounding spaces`,
    );
  }
}

/**
 * The EMF line of `record` under `namespace` (no trailing newline). Throws `MetricRecordError`
 * for a record CloudWatch would not turn into metrics: bad names, a non-finite value, too many
 * metrics, values or dimensions, a dimension set naming an unknown dimension, or a name used
 * twice at the top level.
 */
export function emfLine(namespace: string, record: MetricRecord): string {
  checkName('namespace', namespace);
  if (namespace.startsWith(':')) fail('namespace must not start with ":"');
  if (!Number.isSafeInteger(record.timestamp) || record.timestamp < 0) {
    fail(`timestamp ${record.timestamp} must be epoch milliseconds`);
  }
  const { metrics } = record;
  if (metrics.length === 0 || metrics.length > MAX_METRICS) fail(`a record holds 1-${MAX_METRICS} metrics`);

  const members: Record<string, unknown> = {};
  const claim = (name: string, value: unknown): void => {
    if (name === '_aws' || Object.hasOwn(members, name)) fail(`${JSON.stringify(name)} is used twice`);
    members[name] = value;
  };
  for (const [name, value] of Object.entries(record.dimensions)) {
    checkName('dimension', name);
    if (value.trim().length === 0 || value.length > MAX_DIMENSION_VALUE_CHARS) {
      fail(`dimension ${name} must have a value of 1-${MAX_DIMENSION_VALUE_CHARS} characters`);
    }
    claim(name, value);
  }
  const sets = record.dimensionSets ?? [Object.keys(record.dimensions)];
  for (const set of sets) {
    if (set.length > MAX_DIMENSIONS_PER_SET) fail(`a dimension set holds at most ${MAX_DIMENSIONS_PER_SET}`);
    for (const name of set) if (!Object.hasOwn(record.dimensions, name)) fail(`no dimension ${name}`);
  }
  for (const metric of metrics) {
    checkName('metric', metric.name);
    const values = typeof metric.value === 'number' ? [metric.value] : metric.value;
    if (values.length === 0 || values.length > MAX_VALUES)
      fail(`${metric.name} needs 1-${MAX_VALUES} values`);
    if (!values.every(Number.isFinite)) fail(`${metric.name} has a value that is not a finite number`);
    claim(metric.name, typeof metric.value === 'number' ? metric.value : [...values]);
  }

  return JSON.stringify({
    _aws: {
      Timestamp: record.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: sets,
          Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...members,
  });
}

/**
 * Lambda's Node runtime prefixes `console` lines (text log format) or wraps them (JSON log
 * format); EMF needs the JSON object alone on its line, so lines go to stdout directly.
 */
const stdoutLine = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export interface EmfSinkOptions {
  readonly namespace: string;
  /** Where a line goes; default stdout. */
  readonly write?: ((line: string) => void) | undefined;
  /** Told about a record that could not be written; it is dropped. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A sink that writes one EMF line per record. */
export function emfSink(options: EmfSinkOptions): MetricsSink {
  const write = options.write ?? stdoutLine;
  return {
    publish: (record) => {
      try {
        write(emfLine(options.namespace, record));
      } catch (error) {
        options.onError?.(error);
      }
    },
  };
}
