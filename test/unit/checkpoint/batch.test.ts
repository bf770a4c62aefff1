import { describe, expect, it } from 'vitest';
import type { ApplyDeps } from '../../../src/checkpoint/apply.ts';
import { type BatchRecord, landed, runCheckpointBatch } from '../../../src/checkpoint/batch.ts';
import type { CheckpointCommand } from '../../../src/checkpoint/command.ts';
import { cursor } from '../../helpers/factories.ts';
import { apiError, cmd, createFakeClient, type FakeClient } from './fake-client.ts';

const ok = (command: CheckpointCommand, group?: string): BatchRecord => ({
  parsed: { ok: true, command },
  group,
});
const bad = (group?: string): BatchRecord => ({ parsed: { ok: false, error: 'shard is required' }, group });

function deps(client: FakeClient, overrides: Partial<ApplyDeps> = {}): ApplyDeps {
  return {
    client,
    endpoint: 'http://127.0.0.1:9',
    deadline: Date.now() + 60_000,
    concurrency: 4,
    monotonic: false,
    ...overrides,
  };
}

const statuses = (fates: readonly { status: string }[]) => fates.map((f) => f.status);

describe('runCheckpointBatch, unordered', () => {
  it("applies valid records, reports invalid ones, and shares a request's fate across its records", async () => {
    const client = createFakeClient();
    client.onUpdate = ({ update }) => {
      if (update.shard === 1) throw apiError('ShardNotExist', 404, false);
    };
    const report = await runCheckpointBatch(
      [ok(cmd(0, 1)), bad(), ok(cmd(1, 1)), ok(cmd(0, 2)), ok(cmd(1, 2))],
      { ordered: false },
      deps(client),
    );
    expect(statuses(report.fates)).toEqual(['applied', 'invalid', 'failed', 'applied', 'failed']);
    expect(report.fates[1]).toEqual({ status: 'invalid', error: 'shard is required' });
    expect(report).toMatchObject({ updates: 2, waves: 1 });
    expect(client.updates).toHaveLength(2);
  });

  it('sends nothing when nothing is valid', async () => {
    const client = createFakeClient();
    const report = await runCheckpointBatch([bad(), bad()], { ordered: false }, deps(client));
    expect(report).toMatchObject({ updates: 0, waves: 0 });
    expect(client.updates).toHaveLength(0);
  });
});

describe('runCheckpointBatch, FIFO', () => {
  it('one group per shard: a single wave, one request per shard', async () => {
    const client = createFakeClient();
    const records = [
      ok(cmd(0, 1), 's0'),
      ok(cmd(1, 1), 's1'),
      ok(cmd(0, 2), 's0'),
      ok(cmd(1, 2), 's1'),
      ok(cmd(0, 3), 's0'),
    ];
    const report = await runCheckpointBatch(records, { ordered: true }, deps(client));
    expect(report).toMatchObject({ updates: 2, waves: 1 });
    expect(report.fates.every(landed)).toBe(true);
    expect(client.stored.get('proj/store/group')).toEqual(
      new Map([
        [0, cursor(3)],
        [1, cursor(2)],
      ]),
    );
  });

  it('after a record of a group fails, its later records are blocked and never sent', async () => {
    const client = createFakeClient();
    client.onUpdate = ({ update }) => {
      if (update.shard === 7) throw apiError('ShardNotExist', 404, false);
    };
    const records = [
      ok(cmd(0, 1), 'A'), // 0: lands
      ok(cmd(7, 1), 'A'), // 1: fails
      ok(cmd(0, 2), 'A'), // 2: blocked: must not move shard 0 while 1 is pending
      ok(cmd(1, 1), 'B'), // 3: other group, lands
      ok(cmd(2, 1), 'A'), // 4: blocked
      ok(cmd(1, 2), 'B'), // 5: lands
    ];
    const report = await runCheckpointBatch(records, { ordered: true }, deps(client));
    expect(statuses(report.fates)).toEqual(['applied', 'failed', 'blocked', 'applied', 'blocked', 'applied']);
    expect(report.fates[2]).toMatchObject({ status: 'blocked', after: 1 });
    expect(report.fates[4]).toMatchObject({ status: 'blocked', after: 1 });
    // Wave 1: A's run [0] and B's run [3, 5] (coalesced); wave 2: A's [1], which fails.
    expect(client.updates.map((u) => [u.update.shard, u.update.checkpoint])).toEqual([
      [0, cursor(1)],
      [1, cursor(2)],
      [7, cursor(1)],
    ]);
    expect(client.stored.get('proj/store/group')?.get(0)).toBe(cursor(1));
  });

  it('an invalid record blocks the rest of its group, which is never sent', async () => {
    const client = createFakeClient();
    const report = await runCheckpointBatch(
      [ok(cmd(0, 1), 'A'), bad('A'), ok(cmd(0, 2), 'A'), bad('A'), ok(cmd(1, 1), 'B')],
      { ordered: true },
      deps(client),
    );
    expect(statuses(report.fates)).toEqual(['applied', 'invalid', 'blocked', 'invalid', 'applied']);
    expect(client.updates.map((u) => u.update.checkpoint)).toEqual([cursor(1), cursor(1)]);
  });

  it('a group alternating shards is sent run by run, in order', async () => {
    const client = createFakeClient();
    const order: string[] = [];
    client.onUpdate = ({ update }) => {
      order.push(`${update.shard}@${update.checkpoint}`);
    };
    const report = await runCheckpointBatch(
      [ok(cmd(0, 1), 'A'), ok(cmd(0, 2), 'A'), ok(cmd(1, 1), 'A'), ok(cmd(0, 3), 'A')],
      { ordered: true },
      deps(client),
    );
    expect(report).toMatchObject({ waves: 3, updates: 3 });
    expect(order).toEqual([`0@${cursor(2)}`, `1@${cursor(1)}`, `0@${cursor(3)}`]);
  });

  it('runs of different groups on one shard merge into one request and share its fate', async () => {
    const client = createFakeClient();
    client.onUpdate = () => {
      throw apiError('ServerBusy', 503);
    };
    const report = await runCheckpointBatch(
      [ok(cmd(0, 1), 'A'), ok(cmd(0, 2), 'B'), ok(cmd(0, 3), 'A'), ok(cmd(1, 3), 'B')],
      { ordered: true },
      deps(client),
    );
    // Wave 1 holds A's run [0, 2] and B's run [1], all on shard 0: one request with the last cursor.
    expect(client.updates).toHaveLength(1);
    expect(client.updates[0]?.update.checkpoint).toBe(cursor(3));
    expect(statuses(report.fates)).toEqual(['failed', 'failed', 'failed', 'blocked']);
  });

  it('a monotonic skip does not block the group', async () => {
    const client = createFakeClient();
    client.stored.set('proj/store/group', new Map([[0, cursor(50)]]));
    const report = await runCheckpointBatch(
      [ok(cmd(0, 10), 'A'), ok(cmd(1, 1), 'A'), ok(cmd(0, 60), 'A')],
      { ordered: true },
      deps(client, { monotonic: true }),
    );
    expect(statuses(report.fates)).toEqual(['skipped', 'applied', 'applied']);
    expect(client.reads).toHaveLength(1);
    expect(client.stored.get('proj/store/group')?.get(0)).toBe(cursor(60));
  });

  it('records without a group id form one group', async () => {
    const client = createFakeClient();
    client.onUpdate = ({ update }) => {
      if (update.shard === 0) throw apiError('ShardNotExist', 404, false);
    };
    const report = await runCheckpointBatch([ok(cmd(0, 1)), ok(cmd(1, 1))], { ordered: true }, deps(client));
    expect(statuses(report.fates)).toEqual(['failed', 'blocked']);
  });
});
