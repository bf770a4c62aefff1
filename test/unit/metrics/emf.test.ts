import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfLine, emfSink, type MetricRecord, MetricRecordError } from '../../../src/metrics/emf.ts';
import { readEmf } from '../../helpers/emf.ts';

const AT = Date.UTC(2026, 10, 23, 8, 0, 0);
const record = (overrides: Partial<MetricRecord> = {}): MetricRecord => ({
  timestamp: AT,
  dimensions: { Function: 'fn', ConsumerGroup: 'p/l/g' },
  metrics: [
    { name: 'Beats', unit: 'Count', value: 3 },
    { name: 'ShardsHeld', unit: 'Count', value: [2, 0] },
  ],
  ...overrides,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('emfLine', () => {
  it('writes one line CloudWatch reads as metrics: namespace, timestamp, dimensions, units, values', () => {
    const line = emfLine('SlsCheckpoint', record());
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: AT,
        CloudWatchMetrics: [
          {
            Namespace: 'SlsCheckpoint',
            Dimensions: [['Function', 'ConsumerGroup']],
            Metrics: [
              { Name: 'Beats', Unit: 'Count' },
              { Name: 'ShardsHeld', Unit: 'Count' },
            ],
          },
        ],
      },
      Function: 'fn',
      ConsumerGroup: 'p/l/g',
      Beats: 3,
      ShardsHeld: [2, 0],
    });
    expect(readEmf(line).dimensions).toEqual({ Function: 'fn', ConsumerGroup: 'p/l/g' });
  });

  it('publishes under every dimension set given', () => {
    const line = emfLine('N', record({ dimensionSets: [['Function', 'ConsumerGroup'], ['Function']] }));
    expect(readEmf(line).dimensionSets).toEqual([['Function', 'ConsumerGroup'], ['Function']]);
  });

  it.each([
    ['an empty namespace', '', record(), /namespace/],
    ['a namespace starting with ":"', ':x', record(), /":"/],
    ['no metrics', 'N', record({ metrics: [] }), /1-100 metrics/],
    ['a NaN', 'N', record({ metrics: [{ name: 'Lag', unit: 'Seconds', value: Number.NaN }] }), /finite/],
    [
      'an infinite value in an array',
      'N',
      record({ metrics: [{ name: 'Lag', unit: 'Seconds', value: [1, Number.POSITIVE_INFINITY] }] }),
      /finite/,
    ],
    [
      'an empty array',
      'N',
      record({ metrics: [{ name: 'Lag', unit: 'Seconds', value: [] }] }),
      /1-100 values/,
    ],
    [
      '101 values',
      'N',
      record({ metrics: [{ name: 'Lag', unit: 'Seconds', value: Array.from({ length: 101 }, () => 1) }] }),
      /1-100 values/,
    ],
    [
      '101 metrics',
      'N',
      record({
        metrics: Array.from({ length: 101 }, (_, i) => ({ name: `M${i}`, unit: 'Count', value: 1 })),
      }),
      /1-100 metrics/,
    ],
    ['an empty dimension value', 'N', record({ dimensions: { Function: ' ' } }), /dimension Function/],
    ['a set naming an unknown dimension', 'N', record({ dimensionSets: [['Shard']] }), /no dimension Shard/],
    [
      'a metric named like a dimension',
      'N',
      record({ metrics: [{ name: 'Function', unit: 'Count', value: 1 }] }),
      /"Function" is used twice/,
    ],
    ['a metric named _aws', 'N', record({ metrics: [{ name: '_aws', unit: 'Count', value: 1 }] }), /twice/],
    ['a timestamp in seconds as a fraction', 'N', record({ timestamp: 1.5 }), /epoch milliseconds/],
  ])('refuses %s', (_what, namespace, bad, message) => {
    expect(() => emfLine(namespace, bad)).toThrow(MetricRecordError);
    expect(() => emfLine(namespace, bad)).toThrow(message);
  });
});

describe('emfSink', () => {
  it('writes each record as one line to stdout by default, not through console', () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const info = vi.spyOn(console, 'info');
    const log = vi.spyOn(console, 'log');
    emfSink({ namespace: 'N' }).publish(record());
    write.mockRestore();
    expect(written).toHaveLength(1);
    expect(written[0]?.endsWith('}\n')).toBe(true);
    expect(readEmf(written[0]?.trimEnd() ?? '').metrics.Beats).toEqual({ unit: 'Count', value: 3 });
    expect(info).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('never throws: a bad record is dropped and reported', () => {
    const lines: string[] = [];
    const errors: unknown[] = [];
    const sink = emfSink({ namespace: 'N', write: (l) => lines.push(l), onError: (e) => errors.push(e) });
    expect(() => sink.publish(record({ metrics: [] }))).not.toThrow();
    sink.publish(record());
    expect(lines).toHaveLength(1);
    expect(errors).toEqual([expect.any(MetricRecordError)]);
  });

  it('survives a failing write', () => {
    const errors: unknown[] = [];
    const sink = emfSink({
      namespace: 'N',
      write: () => {
        throw new Error('EPIPE');
      },
      onError: (e) => errors.push(e),
    });
    expect(() => sink.publish(record())).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
