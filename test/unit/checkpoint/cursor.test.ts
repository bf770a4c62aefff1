import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCursors, decodeCursor } from '../../../src/checkpoint/cursor.ts';
import { cursor } from '../../helpers/factories.ts';

describe('decodeCursor', () => {
  it('reads the integer an SLS cursor encodes', () => {
    expect(decodeCursor('MTUyNDE1NTM3OTM3MzkwODQ5Ng==')).toBe(1524155379373908496n);
  });

  it.each(['', 'aGVsbG8=', 'LTE=', 'MS41', 'not base64', 'MTI'])('returns undefined for %j', (value) => {
    expect(decodeCursor(value)).toBeUndefined();
  });

  it('round-trips any non-negative integer beyond 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 128n }), (n) => {
        expect(decodeCursor(cursor(n))).toBe(n);
      }),
    );
  });
});

describe('compareCursors', () => {
  it('compares as integers, not as strings', () => {
    expect(compareCursors(cursor(9), cursor(10))).toBe(-1);
    expect(compareCursors(cursor(10), cursor(9))).toBe(1);
    expect(compareCursors(cursor(2n ** 64n), cursor(2n ** 64n))).toBe(0);
    expect(compareCursors(cursor(2n ** 53n + 1n), cursor(2n ** 53n))).toBe(1);
  });

  it('is undefined when either side is not an integer cursor', () => {
    expect(compareCursors('aGVsbG8=', cursor(1))).toBeUndefined();
    expect(compareCursors(cursor(1), '')).toBeUndefined();
  });

  it('orders like the integers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), fc.bigInt({ min: 0n, max: 2n ** 70n }), (a, b) => {
        expect(compareCursors(cursor(a), cursor(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});
