import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beatAllowance } from '../../../src/heartbeat/round.ts';

describe('beatAllowance', () => {
  it('keeps a whole request time limit before any beat has ended', () => {
    expect(beatAllowance([], 5_000, 250)).toBe(5_000);
  });

  it('keeps twice the median recent beat, at least an attempt’s least time, at most the request time limit', () => {
    expect(beatAllowance([250, 300, 260], 5_000, 250)).toBe(520);
    // One slow beat does not stop a round; half of them slow do.
    expect(beatAllowance([250, 260, 2_600], 5_000, 250)).toBe(520);
    expect(beatAllowance([250, 2_600, 2_700, 240], 5_000, 250)).toBe(5_000);
    // Quick beats: never less than the client needs to start an attempt at all.
    expect(beatAllowance([10, 12], 5_000, 250)).toBe(250);
    fc.assert(
      fc.property(
        fc.array(fc.nat(60_000), { minLength: 1, maxLength: 64 }),
        fc.nat(60_000),
        fc.nat(1_000),
        (recent, limit, floor) => {
          const allowance = beatAllowance(recent, limit, floor);
          const sorted = [...recent].sort((a, b) => a - b);
          expect(allowance).toBeLessThanOrEqual(limit);
          expect(allowance).toBeGreaterThanOrEqual(Math.min(limit, floor));
          // At least twice what half the recent beats took, unless capped.
          expect(allowance).toBeGreaterThanOrEqual(Math.min(limit, 2 * (sorted[0] ?? 0)));
          expect(allowance).toBeLessThanOrEqual(Math.max(floor, 2 * (sorted.at(-1) ?? 0)));
        },
      ),
    );
  });
});
