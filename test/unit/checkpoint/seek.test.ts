/**
 * Seeks through the checkpoint use case: resolved (ListShards, GetCursor) before the per-shard
 * collapse, then written, read back and reported by the same rules as cursor commands.
 */
import { describe, expect, it } from 'vitest';
import {
  type ApplyDeps,
  type ApplyInput,
  type ApplyReport,
  applyCheckpoints,
} from '../../../src/checkpoint/apply.ts';
import { type BatchRecord, runCheckpointBatch } from '../../../src/checkpoint/batch.ts';
import type { Command, SeekCommand } from '../../../src/checkpoint/command.ts';
import { describeFate } from '../../../src/checkpoint/report.ts';
import { SlsNetworkError } from '../../../src/sls/errors.ts';
import type { SeekPosition } from '../../../src/sls/types.ts';
import { cursor } from '../../helpers/factories.ts';
import { apiError, cmd, createFakeClient, type FakeClient, seekCursor } from './fake-client.ts';

const DEADLINE = Date.UTC(2026, 10, 23, 8, 0, 58);
const T = 1_795_420_800; // 2026-11-23T08:00:00Z

const seek = (
  shard: number | '*',
  from: SeekPosition,
  overrides: Partial<SeekCommand> = {},
): SeekCommand => ({
  project: 'proj',
  logstore: 'store',
  consumerGroup: 'group',
  shard,
  from,
  consumer: undefined,
  forceSuccess: true,
  ...overrides,
});

const ids = (commands: readonly Command[]): ApplyInput<number>[] =>
  commands.map((command, id) => ({ id, command }));
const statusesOf = (report: ApplyReport<number>) =>
  Array.from({ length: report.outcomes.size }, (_, id) => {
    const o = report.outcomes.get(id);
    return o?.status === 'failed' ? o.code : o?.status;
  });
const stored = (client: FakeClient) => Object.fromEntries(client.stored.get('proj/store/group') ?? []);

function deps(client: FakeClient, overrides: Partial<ApplyDeps> = {}): ApplyDeps {
  return {
    client,
    endpoint: 'http://127.0.0.1:9',
    deadline: DEADLINE,
    concurrency: 4,
    monotonic: false,
    ...overrides,
  };
}

describe('resolving seeks', () => {
  it('puts every shard of "*" at its own cursor for that position: one ListShards, one GetCursor per shard', async () => {
    const client = createFakeClient();
    client.shardCount = 3;
    const report = await applyCheckpoints(ids([seek('*', T)]), deps(client));
    expect(statusesOf(report)).toEqual(['applied']);
    expect(stored(client)).toEqual({ 0: seekCursor(0, T), 1: seekCursor(1, T), 2: seekCursor(2, T) });
    expect(client.lookups.sort()).toEqual([
      `getCursor proj/store 0 ${T}`,
      `getCursor proj/store 1 ${T}`,
      `getCursor proj/store 2 ${T}`,
      'listShards proj/store',
    ]);
    expect(client.updates.map((u) => u.update)).toEqual(
      [0, 1, 2].map((shard) => ({
        shard,
        checkpoint: seekCursor(shard, T),
        consumer: undefined,
        forceSuccess: true,
      })),
    );
    expect(report).toMatchObject({ values: 3, requests: { writes: 3, readBacks: 0, lookups: 4 } });
  });

  it('seeks one shard, and resolves each (shard, position) once however many records ask', async () => {
    const client = createFakeClient();
    const report = await applyCheckpoints(
      ids([seek(2, 'end'), seek(2, 'end'), seek('*', 'end')]),
      deps(client),
    );
    expect(statusesOf(report)).toEqual(['applied', 'applied', 'applied']);
    expect(client.lookups.filter((l) => l.startsWith('getCursor proj/store 2'))).toEqual([
      'getCursor proj/store 2 end',
    ]);
    expect(client.updates).toHaveLength(4);
  });

  it('writes no shard of a seek whose shards or cursors could not all be read, and says why', async () => {
    const client = createFakeClient();
    client.onLookup = (call) => {
      if (call === 'getCursor proj/store 1 begin') throw apiError('ReadQuotaExceed', 403, true);
    };
    const report = await applyCheckpoints(ids([seek('*', 'begin'), cmd(3, 7)]), deps(client));
    expect(statusesOf(report)).toEqual(['ReadQuotaExceed', 'applied']);
    expect(client.updates.map((u) => u.update.shard)).toEqual([3]);
    expect(report.outcomes.get(0)).toMatchObject({ status: 'failed', retryable: true });

    const missing = createFakeClient();
    missing.onLookup = () => {
      throw apiError('LogStoreNotExist', 404);
    };
    const none = await applyCheckpoints(ids([seek('*', 'begin')]), deps(missing));
    expect(statusesOf(none)).toEqual(['LogStoreNotExist']);
    expect(none.values).toBe(1);
    expect(missing.updates).toHaveLength(0);
  });

  it('reports the shard a seek of every shard failed on', async () => {
    const client = createFakeClient();
    client.onUpdate = ({ update }) => {
      if (update.shard === 2) throw apiError('ConsumerGroupNotExist', 404);
    };
    const records: BatchRecord[] = [{ parsed: { ok: true, command: seek('*', T) } }];
    const report = await runCheckpointBatch(records, { ordered: false }, deps(client));
    const fate = report.fates[0];
    expect(fate).toMatchObject({ status: 'failed', code: 'ConsumerGroupNotExist', shard: 2 });
    expect(fate && describeFate(fate)).toBe(
      'shard 2 of "*" of proj/store/group (seek to 2026-11-23T08:00:00Z): ConsumerGroupNotExist',
    );
    // The other shards did land; the record is reported, so it is sent again.
    expect(Object.keys(stored(client))).toEqual(['0', '1', '3']);
  });
});

describe('collapsing seeks with cursor commands', () => {
  it('newest wins, whatever the kind', async () => {
    const client = createFakeClient();
    const report = await applyCheckpoints(
      ids([cmd(0, 5), seek(0, 'begin'), cmd(1, 5), seek('*', 'end'), cmd(1, 9)]),
      deps(client),
    );
    expect(statusesOf(report)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(stored(client)).toEqual({
      0: seekCursor(0, 'end'),
      1: cursor(9),
      2: seekCursor(2, 'end'),
      3: seekCursor(3, 'end'),
    });
    expect(client.updates).toHaveLength(4);
  });

  describe('in monotonic mode', () => {
    /** The group's shards are far ahead of every cursor the fake resolves. */
    const ahead = (client: FakeClient) => {
      client.stored.set('proj/store/group', new Map([0, 1, 2, 3].map((s) => [s, cursor(10n ** 12n)])));
    };

    it('moves a shard back on purpose for a seek, while a stale cursor is still skipped', async () => {
      const client = createFakeClient();
      ahead(client);
      const report = await applyCheckpoints(
        ids([seek(0, 'begin'), cmd(1, 3)]),
        deps(client, { monotonic: true }),
      );
      expect(statusesOf(report)).toEqual(['applied', 'skipped']);
      expect(stored(client)[0]).toBe(seekCursor(0, 'begin'));
      expect(stored(client)[1]).toBe(cursor(10n ** 12n));
    });

    it('orders the records after a seek against the seek, not against what the shard held', async () => {
      const client = createFakeClient();
      ahead(client);
      const report = await applyCheckpoints(
        // Before the seek: superseded. After it: the furthest of the seek and later records.
        ids([cmd(0, 10n ** 13n), seek(0, T), cmd(0, (T % 100_000) + 5), cmd(1, 1), seek(1, 'begin')]),
        deps(client, { monotonic: true }),
      );
      expect(statusesOf(report)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
      expect(stored(client)[0]).toBe(cursor((T % 100_000) + 5));
      expect(stored(client)[1]).toBe(seekCursor(1, 'begin'));
    });

    it('writes a seek again when a read-back after an ambiguous attempt finds the shard ahead', async () => {
      const client = createFakeClient();
      ahead(client);
      let attempts = 0;
      const original = client.updateCheckpoint.bind(client);
      client.updateCheckpoint = async (target, update, options) => {
        attempts++;
        // The first attempt is lost before SLS applies it: the shard still holds the old cursor.
        if (attempts === 1) {
          client.updates.push({ target, update, options: options ?? {} });
          throw new SlsNetworkError('socket hang up', {
            code: 'NetworkError',
            retryable: true,
            ambiguous: true,
          });
        }
        await original(target, update, options);
      };
      const report = await applyCheckpoints(ids([seek(0, 'begin')]), deps(client, { monotonic: true }));
      expect(statusesOf(report)).toEqual(['applied']);
      expect(client.updates).toHaveLength(2);
      expect(client.reads).toHaveLength(2);
      expect(stored(client)[0]).toBe(seekCursor(0, 'begin'));
    });
  });
});

describe('seeks in a FIFO batch', () => {
  const fifo = (command: Command, group: string): BatchRecord => ({ parsed: { ok: true, command }, group });

  it('lands a seek of every shard before the next record of its message group is sent', async () => {
    const client = createFakeClient();
    client.shardCount = 2;
    const order: string[] = [];
    client.onUpdate = ({ update }) => {
      order.push(`${update.shard}:${update.checkpoint}`);
    };
    const report = await runCheckpointBatch(
      [fifo(seek('*', 'begin'), 'g'), fifo(cmd(1, 5), 'g')],
      { ordered: true },
      deps(client),
    );
    expect(report.fates.map((f) => f.status)).toEqual(['applied', 'applied']);
    expect(report.waves).toBe(2);
    expect(order).toEqual([`0:${seekCursor(0, 'begin')}`, `1:${seekCursor(1, 'begin')}`, `1:${cursor(5)}`]);
  });

  it('blocks the rest of the message group when a seek fails', async () => {
    const client = createFakeClient();
    client.onLookup = (call) => {
      if (call.startsWith('listShards')) throw apiError('LogStoreNotExist', 404);
    };
    const report = await runCheckpointBatch(
      [fifo(seek('*', 'end'), 'g'), fifo(cmd(1, 5), 'g'), fifo(cmd(2, 5), 'other')],
      { ordered: true },
      deps(client),
    );
    expect(report.fates.map((f) => f.status)).toEqual(['failed', 'blocked', 'applied']);
    expect(client.updates.map((u) => u.update.shard)).toEqual([2]);
  });
});
