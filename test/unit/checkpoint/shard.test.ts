import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointCommand } from '../../../src/checkpoint/command.ts';
import { compareCursors } from '../../../src/checkpoint/cursor.ts';
import { type ShardIO, type ShardRecord, settleShard } from '../../../src/checkpoint/shard.ts';
import { SlsNetworkError } from '../../../src/sls/errors.ts';
import { cursor } from '../../helpers/factories.ts';
import { apiError, cmd } from './fake-client.ts';

/** Records of shard 0, positions in list order; `[value, overrides, group]`. */
const records = (
  list: readonly (readonly [number, Partial<CheckpointCommand>?, string?])[],
): ShardRecord<number>[] =>
  list.map(([value, overrides, group], id) => ({
    id,
    position: id,
    group,
    command: cmd(0, value, overrides),
  }));

const lost = () =>
  new SlsNetworkError('connection failed (UND_ERR_SOCKET)', {
    code: 'NetworkError',
    retryable: true,
    ambiguous: true,
  });

/** One shard in memory; `write` decides per call what SLS does with it. */
function fakeShard(
  options: {
    stored?: string;
    write?: (command: CheckpointCommand, n: number) => 'ok' | 'applied-then-lost' | 'lost' | Error;
    readFails?: boolean;
  } = {},
) {
  const state = { stored: options.stored, writes: [] as CheckpointCommand[], reads: 0, flagged: 0 };
  const io: ShardIO = {
    write: async (command) => {
      state.writes.push(command);
      const verdict = options.write?.(command, state.writes.length) ?? 'ok';
      if (verdict instanceof Error) throw verdict;
      if (verdict !== 'lost') state.stored = command.checkpoint;
      if (verdict !== 'ok') throw lost();
    },
    read: async () => {
      state.reads++;
      if (options.readFails) throw apiError('InternalServerError', 500);
      return state.stored;
    },
    known: async () => options.stored,
    remember: () => {},
    incomparable: () => {
      state.flagged++;
    },
  };
  return { io, state };
}

const statuses = (outcomes: Map<number, { status: string; code?: string }>) =>
  [...outcomes.keys()]
    .sort((a, b) => a - b)
    .map((id) => {
      const o = outcomes.get(id);
      return o?.status === 'failed' ? o.code : o?.status;
    });

describe('settleShard', () => {
  it('writes the newest record once, with its consumer and forceSuccess, and lands every record; no read', async () => {
    const shard = fakeShard();
    const report = await settleShard(
      records([
        [5, { consumer: 'w1', forceSuccess: true }],
        [3],
        [9, { consumer: 'w2', forceSuccess: false }],
      ]),
      shard.io,
      false,
    );
    expect(shard.state.writes).toEqual([cmd(0, 9, { consumer: 'w2', forceSuccess: false })]);
    expect(shard.state.reads).toBe(0);
    expect(statuses(report.outcomes)).toEqual(['applied', 'applied', 'applied']);
    expect(report.decisions).toHaveLength(1);
  });

  it('monotonic: writes the furthest cursor; a cursor that does not decode is never behind, and is flagged', async () => {
    const furthest = fakeShard({ stored: cursor(1) });
    await settleShard(records([[100], [50], [70]]), furthest.io, true);
    expect(furthest.state.writes.map((c) => c.checkpoint)).toEqual([cursor(100)]);

    const odd = fakeShard({ stored: cursor(1) });
    await settleShard(records([[100], [0, { checkpoint: 'aGVsbG8=' }]]), odd.io, true);
    expect(odd.state.writes.map((c) => c.checkpoint)).toEqual(['aGVsbG8=']);
    expect(odd.state.flagged).toBe(1);
  });

  it('monotonic: skips every record without writing when the shard is already ahead', async () => {
    const shard = fakeShard({ stored: cursor(500) });
    const report = await settleShard(records([[100], [200]]), shard.io, true);
    expect(shard.state.writes).toHaveLength(0);
    expect([...report.outcomes.values()]).toEqual([
      { status: 'skipped', current: cursor(500) },
      { status: 'skipped', current: cursor(500) },
    ]);
  });

  it('a refusal that is not about the consumer fails every record after one write', async () => {
    const shard = fakeShard({ write: () => apiError('ShardNotExist', 404, false) });
    const report = await settleShard(
      records([[1, { consumer: 'w1', forceSuccess: false }], [2]]),
      shard.io,
      false,
    );
    expect(shard.state.writes).toHaveLength(1);
    expect(statuses(report.outcomes)).toEqual(['ShardNotExist', 'ShardNotExist']);
  });

  it('unordered: a writer refused for its consumer fails alone; the newest of the others lands', async () => {
    const shard = fakeShard({
      write: (c) => (c.consumer === 'w2' ? apiError('ConsumerNotMatch', 400, false) : 'ok'),
    });
    const w1 = { consumer: 'w1', forceSuccess: false };
    const w2 = { consumer: 'w2', forceSuccess: false };
    const report = await settleShard(
      records([
        [1, w1],
        [2, w2],
        [3, w1],
        [4, w2],
      ]),
      shard.io,
      false,
    );
    expect(shard.state.writes.map((c) => [c.consumer, c.checkpoint])).toEqual([
      ['w2', cursor(4)],
      ['w1', cursor(3)],
    ]);
    expect(statuses(report.outcomes)).toEqual(['applied', 'ConsumerNotMatch', 'applied', 'ConsumerNotMatch']);
    expect(report.decisions.map((d) => d.records)).toEqual([2, 2]);
  });

  it('FIFO: nothing of a message group lands past its failed record; other groups still do', async () => {
    const shard = fakeShard({
      write: (c) => (c.consumer === 'a' ? apiError('ConsumerNotMatch', 400, false) : 'ok'),
    });
    const a = { consumer: 'a', forceSuccess: false };
    const b = { consumer: 'b', forceSuccess: false };
    const report = await settleShard(
      records([
        [1, a, 'g1'],
        [2, b, 'g1'],
        [3, b, 'g2'],
        [4, a, 'g1'],
      ]),
      shard.io,
      false,
    );
    // g1's record 1 failed: its record 2 is blocked, and only g2's record 3 is written.
    expect(statuses(report.outcomes)).toEqual(['ConsumerNotMatch', 'blocked', 'applied', 'ConsumerNotMatch']);
    expect(report.outcomes.get(1)).toEqual({ status: 'blocked', after: 0 });
    expect(shard.state.writes.map((c) => c.checkpoint)).toEqual([cursor(4), cursor(3)]);
  });

  describe('after an ambiguous attempt', () => {
    it('applied before the connection was lost: one read confirms it, no second write', async () => {
      const shard = fakeShard({ write: () => 'applied-then-lost' });
      const report = await settleShard(records([[1], [2]]), shard.io, false);
      expect(statuses(report.outcomes)).toEqual(['applied', 'applied']);
      expect([shard.state.writes.length, shard.state.reads]).toEqual([1, 1]);
    });

    it('not applied: writes again and reads again until the shard holds the value', async () => {
      const shard = fakeShard({ stored: cursor(1), write: (_, n) => (n === 1 ? 'lost' : 'ok') });
      const report = await settleShard(records([[7]]), shard.io, false);
      expect(statuses(report.outcomes)).toEqual(['applied']);
      expect([shard.state.writes.length, shard.state.reads]).toEqual([2, 2]);
      expect(shard.state.stored).toBe(cursor(7));
    });

    it('never confirmed: fails with the write error after three writes and three reads', async () => {
      const shard = fakeShard({ stored: cursor(1), write: () => 'lost' });
      const report = await settleShard(records([[7], [8]]), shard.io, false);
      expect(statuses(report.outcomes)).toEqual(['NetworkError', 'NetworkError']);
      expect(report.outcomes.get(0)).toMatchObject({ retryable: true });
      expect([shard.state.writes.length, shard.state.reads]).toEqual([3, 3]);
    });

    it('a read-back that fails leaves the records failed with the write error', async () => {
      const shard = fakeShard({ write: () => 'applied-then-lost', readFails: true });
      const report = await settleShard(records([[7]]), shard.io, false);
      expect(statuses(report.outcomes)).toEqual(['NetworkError']);
    });

    it('monotonic: a read-back that finds the shard further on skips the records', async () => {
      const shard = fakeShard({ stored: cursor(1), write: () => 'lost' });
      shard.io.read = async () => cursor(900);
      const report = await settleShard(records([[7]]), shard.io, true);
      expect([...report.outcomes.values()]).toEqual([{ status: 'skipped', current: cursor(900) }]);
    });
  });

  it('gives every record exactly one outcome, and the shard ends at the newest landed value', async () => {
    const writer = fc.record({
      value: fc.integer({ min: 0, max: 1000 }),
      consumer: fc.constantFrom(undefined, 'w1', 'w2', 'w3'),
      group: fc.constantFrom(undefined, 'g1', 'g2'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(writer, { minLength: 1, maxLength: 30 }),
        fc.subarray(['w1', 'w2', 'w3']),
        fc.boolean(),
        async (list, refused, monotonic) => {
          const shard = fakeShard({
            write: (c) =>
              c.consumer !== undefined && refused.includes(c.consumer)
                ? apiError('ConsumerNotMatch', 400)
                : 'ok',
          });
          const input = records(
            list.map((w) => [
              w.value,
              w.consumer === undefined ? {} : { consumer: w.consumer, forceSuccess: false },
              w.group,
            ]),
          );
          const report = await settleShard(input, shard.io, monotonic);
          expect(report.outcomes.size).toBe(list.length);
          const landed = input.filter((r) => report.outcomes.get(r.id)?.status === 'applied');
          if (landed.length === 0) return;
          // Every landed record is covered by what the shard holds: its own value or a newer one.
          const stored = shard.state.stored as string;
          const holder = input.findLast(
            (r) => r.command.checkpoint === stored && !refused.includes(r.command.consumer ?? ''),
          );
          expect(holder).toBeDefined();
          for (const r of landed) {
            if (monotonic) expect(compareCursors(stored, r.command.checkpoint)).not.toBe(-1);
            else expect((holder as ShardRecord<number>).position).toBeGreaterThanOrEqual(r.position);
          }
        },
      ),
    );
  });
});
