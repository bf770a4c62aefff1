/**
 * Reads EMF lines the way CloudWatch Logs does, from the published specification (not from our
 * writer): a JSON object alone on its line, `_aws.Timestamp` in epoch ms, and directives whose
 * every dimension names a string member and every metric a number (or array of numbers) member.
 * A line that breaks a rule throws, naming it.
 */
import { emfSink } from '../../src/metrics/emf.ts';
import type { MetricsLevel, MetricsScope } from '../../src/metrics/scope.ts';

export interface EmfMetric {
  readonly unit: string | undefined;
  readonly value: number | number[];
}

export interface EmfRecord {
  readonly namespace: string;
  readonly timestamp: number;
  readonly dimensionSets: string[][];
  /** The values of every dimension the sets name. */
  readonly dimensions: Record<string, string>;
  readonly metrics: Record<string, EmfMetric>;
}

const UNITS = new Set(['Seconds', 'Milliseconds', 'Microseconds', 'Count', 'Percent', 'None', 'Bytes']);

export function readEmf(line: string): EmfRecord {
  if (line.includes('\n')) throw new Error('an EMF event is one line');
  const root = JSON.parse(line) as Record<string, unknown>;
  const aws = root._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (typeof aws !== 'object' || aws === null) throw new Error('no _aws member');
  if (!Number.isInteger(aws.Timestamp)) throw new Error('_aws.Timestamp must be epoch ms');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length !== 1) throw new Error('expected one directive');
  const d = directives[0] as { Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown };
  if (typeof d.Namespace !== 'string' || d.Namespace === '') throw new Error('Namespace is required');
  if (!Array.isArray(d.Dimensions)) throw new Error('Dimensions must be an array of dimension sets');
  const dimensions: Record<string, string> = {};
  for (const set of d.Dimensions as unknown[]) {
    if (!Array.isArray(set)) throw new Error('a dimension set is an array');
    for (const name of set) {
      const value = root[String(name)];
      if (typeof value !== 'string') throw new Error(`dimension ${name} has no string member`);
      dimensions[String(name)] = value;
    }
  }
  if (!Array.isArray(d.Metrics) || d.Metrics.length === 0) throw new Error('Metrics is required');
  const metrics: Record<string, EmfMetric> = {};
  for (const m of d.Metrics as { Name?: unknown; Unit?: unknown }[]) {
    const name = String(m.Name);
    const value = root[name];
    const numeric = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    if (!(numeric(value) || (Array.isArray(value) && value.length > 0 && value.every(numeric)))) {
      throw new Error(`metric ${name} has no numeric member`);
    }
    if (m.Unit !== undefined && !UNITS.has(String(m.Unit))) throw new Error(`metric ${name}: unit ${m.Unit}`);
    metrics[name] = { unit: m.Unit === undefined ? undefined : String(m.Unit), value: value as number };
  }
  return {
    namespace: d.Namespace,
    timestamp: aws.Timestamp as number,
    dimensionSets: d.Dimensions as string[][],
    dimensions,
    metrics,
  };
}

/** A metrics scope whose lines are kept, for tests; `records()` reads them back. */
export function capturedMetrics(level: MetricsLevel = 'group', functionName = 'test-function') {
  const lines: string[] = [];
  const errors: unknown[] = [];
  const scope: MetricsScope = {
    sink: emfSink({ namespace: 'Test', write: (line) => lines.push(line), onError: (e) => errors.push(e) }),
    functionName,
    level,
  };
  return { scope, lines, errors, records: () => lines.map(readEmf) };
}

/** `name → value` of a record's metrics, for compact assertions. */
export const valuesOf = (record: EmfRecord | undefined): Record<string, number | number[]> =>
  Object.fromEntries(Object.entries(record?.metrics ?? {}).map(([name, m]) => [name, m.value]));
