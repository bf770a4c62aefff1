import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describePosition, FROM_RULE, parsePosition } from '../../../src/checkpoint/position.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('parsePosition', () => {
  it('reads any valid ISO-8601 time with a zone as the instant JavaScript reads, in whole seconds', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1971-01-01T00:00:00Z'),
          max: new Date('2200-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.boolean(),
        (date, offsetMinutes, colon) => {
          // The same instant written in another zone.
          const local = new Date(date.getTime() + offsetMinutes * 60_000);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const zone = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${colon ? ':' : ''}${pad(Math.abs(offsetMinutes) % 60)}`;
          const text =
            `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
            `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
            `.${pad(local.getUTCMilliseconds(), 3)}${zone}`;
          expect(parsePosition(text)).toEqual({ ok: true, from: Math.floor(date.getTime() / 1000) });
        },
      ),
    );
  });

  it('never throws, and answers only its fixed wording (nothing of the input)', () => {
    const problems = new Set([
      FROM_RULE,
      'must be whole unix seconds >= 0',
      'must be unix seconds, not milliseconds',
      'must not be before 1970',
    ]);
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.double()), (value) => {
        const result = parsePosition(value);
        if (!result.ok) expect(problems).toContain(result.problem);
      }),
    );
  });
});

describe('describePosition', () => {
  it('shows begin and end as they are and a time in UTC', () => {
    expect(describePosition('begin')).toBe('begin');
    expect(describePosition('end')).toBe('end');
    expect(describePosition(1_795_420_800)).toBe('2026-11-23T08:00:00Z');
  });
});
