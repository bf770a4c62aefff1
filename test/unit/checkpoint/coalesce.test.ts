import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coalesce, compareCursors, decodeCursor } from '../../../src/checkpoint/coalesce.ts';
import type { CheckpointCommand } from '../../../src/checkpoint/command.ts';
import { cursor } from '../../helpers/factories.ts';

const base: CheckpointCommand = {
  project: 'proj',
  logstore: 'store',
  consumerGroup: 'group',
  shard: 0,
  checkpoint: cursor(1),
  consumer: undefined,
  forceSuccess: true,
};
const cmd = (overrides: Partial<CheckpointCommand>): CheckpointCommand => ({ ...base, ...overrides });

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

describe('coalesce', () => {
  it('keeps the last command per shard and every id it stands for', () => {
    const updates = coalesce([
      { id: 'a', command: cmd({ shard: 0, checkpoint: cursor(1) }) },
      { id: 'b', command: cmd({ shard: 1, checkpoint: cursor(2) }) },
      { id: 'c', command: cmd({ shard: 0, checkpoint: cursor(3) }) },
      { id: 'd', command: cmd({ shard: 0, checkpoint: cursor(2) }) },
    ]);
    expect(updates.map((u) => [u.command.shard, u.command.checkpoint, u.ids, u.position])).toEqual([
      [0, cursor(2), ['a', 'c', 'd'], 3],
      [1, cursor(2), ['b'], 1],
    ]);
  });

  it('keeps consumers, groups, logstores and projects apart', () => {
    const updates = coalesce([
      { id: 1, command: cmd({}) },
      { id: 2, command: cmd({ consumer: 'c1', forceSuccess: false }) },
      { id: 3, command: cmd({ consumer: 'c2', forceSuccess: false }) },
      { id: 4, command: cmd({ consumerGroup: 'other' }) },
      { id: 5, command: cmd({ logstore: 'other' }) },
      { id: 6, command: cmd({ project: 'other' }) },
      { id: 7, command: cmd({ consumer: 'c1', forceSuccess: true }) },
    ]);
    expect(updates.map((u) => u.ids)).toEqual([[1], [2, 7], [3], [4], [5], [6]]);
    // The last command wins whole, forceSuccess included.
    expect(updates[1]?.command.forceSuccess).toBe(true);
  });

  it('monotonic: keeps the furthest cursor, as sending one by one with skips would', () => {
    const updates = coalesce(
      [
        { id: 'a', command: cmd({ checkpoint: cursor(100) }) },
        { id: 'b', command: cmd({ checkpoint: cursor(50) }) },
        { id: 'c', command: cmd({ checkpoint: cursor(70) }) },
      ],
      { monotonic: true },
    );
    expect(updates).toEqual([
      {
        key: expect.any(String),
        command: cmd({ checkpoint: cursor(100) }),
        ids: ['a', 'b', 'c'],
        position: 0,
      },
    ]);
  });

  it('monotonic: a cursor that does not decode is never treated as behind', () => {
    const updates = coalesce(
      [
        { id: 'a', command: cmd({ checkpoint: cursor(100) }) },
        { id: 'b', command: cmd({ checkpoint: 'aGVsbG8=' }) },
      ],
      { monotonic: true },
    );
    expect(updates[0]?.command.checkpoint).toBe('aGVsbG8=');
  });

  it('always sends one update per key, covering every id exactly once', () => {
    const command = fc.record({
      shard: fc.integer({ min: 0, max: 3 }),
      consumer: fc.constantFrom(undefined, 'c1', 'c2'),
      checkpoint: fc.bigInt({ min: 0n, max: 1000n }).map(cursor),
    });
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), fc.boolean(), (list, monotonic) => {
        const updates = coalesce(
          list.map((c, id) => ({ id, command: cmd(c) })),
          { monotonic },
        );
        expect(updates.flatMap((u) => u.ids).sort((a, b) => a - b)).toEqual(list.map((_, i) => i));
        expect(new Set(updates.map((u) => u.key)).size).toBe(updates.length);
        for (const u of updates) {
          const mine = u.ids.map((id) => list[id]?.checkpoint ?? '');
          const expected = monotonic
            ? mine.reduce((a, b) => ((compareCursors(b, a) ?? 0) < 0 ? a : b))
            : mine[mine.length - 1];
          expect(u.command.checkpoint).toBe(expected);
        }
      }),
    );
  });
});
