import { describe, expect, it } from 'vitest';
import { type ApplyDeps, applyCheckpoints } from '../../../src/checkpoint/apply.ts';
import type { IdentifiedCommand } from '../../../src/checkpoint/coalesce.ts';
import type { CheckpointCommand } from '../../../src/checkpoint/command.ts';
import { SlsNetworkError } from '../../../src/sls/errors.ts';
import { cursor } from '../../helpers/factories.ts';
import {
  apiError,
  cmd,
  createFakeClient,
  type FakeClient,
  groupName,
  recordingLogger,
} from './fake-client.ts';

const ENDPOINT = 'http://127.0.0.1:9';
const DEADLINE = Date.UTC(2026, 10, 23, 8, 0, 58);

const ids = (commands: readonly CheckpointCommand[]): IdentifiedCommand<number>[] =>
  commands.map((command, id) => ({ id, command }));

function deps(client: FakeClient, overrides: Partial<ApplyDeps> = {}): ApplyDeps {
  return { client, endpoint: ENDPOINT, deadline: DEADLINE, concurrency: 4, monotonic: false, ...overrides };
}

describe('applyCheckpoints', () => {
  it('sends one request per shard with the last checkpoint, the deadline and the full target', async () => {
    const client = createFakeClient();
    const results = await applyCheckpoints(ids([cmd(0, 1), cmd(1, 5), cmd(0, 3), cmd(1, 4)]), deps(client));
    expect(client.updates).toHaveLength(2);
    expect(client.updates[0]).toEqual({
      target: { endpoint: ENDPOINT, project: 'proj', logstore: 'store', consumerGroup: 'group' },
      update: { shard: 0, checkpoint: cursor(3), consumer: undefined, forceSuccess: true },
      options: { deadline: DEADLINE },
    });
    expect(client.stored.get('proj/store/group')).toEqual(
      new Map([
        [0, cursor(3)],
        [1, cursor(4)],
      ]),
    );
    expect(results.map((r) => [r.ids, r.outcome])).toEqual([
      [[0, 2], { status: 'applied' }],
      [[1, 3], { status: 'applied' }],
    ]);
  });

  it('passes consumer and forceSuccess through', async () => {
    const client = createFakeClient();
    await applyCheckpoints(ids([cmd(2, 1, { consumer: 'c1', forceSuccess: false })]), deps(client));
    expect(client.updates[0]?.update).toEqual({
      shard: 2,
      checkpoint: cursor(1),
      consumer: 'c1',
      forceSuccess: false,
    });
  });

  it('keeps to the concurrency bound', async () => {
    const client = createFakeClient();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    client.onUpdate = () => gate;
    const running = applyCheckpoints(
      ids(Array.from({ length: 20 }, (_, shard) => cmd(shard, 1))),
      deps(client, { concurrency: 3 }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.updates).toHaveLength(3);
    release();
    await running;
    expect(client.updates).toHaveLength(20);
    expect(client.maxInFlight).toBe(3);
  });

  it('reports each failed key with code, retryable flag and message, and logs it', async () => {
    const client = createFakeClient();
    const logger = recordingLogger();
    client.onUpdate = ({ update }) => {
      if (update.shard === 1) throw apiError('ShardNotExist', 404, false);
      if (update.shard === 2)
        throw new SlsNetworkError('socket hang up', { code: 'ConnectionReset', retryable: true });
    };
    const results = await applyCheckpoints(
      ids([cmd(0, 1), cmd(1, 1), cmd(1, 2), cmd(2, 1)]),
      deps(client, { logger }),
    );
    expect(results.map((r) => r.outcome)).toEqual([
      { status: 'applied' },
      {
        status: 'failed',
        code: 'ShardNotExist',
        retryable: false,
        message: 'UpdateCheckPoint failed: 404 ShardNotExist',
      },
      { status: 'failed', code: 'ConnectionReset', retryable: true, message: 'socket hang up' },
    ]);
    expect(logger.lines.filter((l) => l.event === 'checkpoint.failed').map((l) => l.fields)).toEqual([
      expect.objectContaining({ shard: 1, code: 'ShardNotExist', records: 2, consumerGroup: 'group' }),
      expect.objectContaining({ shard: 2, code: 'ConnectionReset', records: 1 }),
    ]);
  });

  it('turns a non-Error throw into a failed outcome instead of rejecting', async () => {
    const client = createFakeClient();
    client.onUpdate = ({ update }) => {
      if (update.shard === 0) throw 'a string';
      if (update.shard === 1) throw null;
    };
    const results = await applyCheckpoints(ids([cmd(0, 1), cmd(1, 1), cmd(2, 1)]), deps(client));
    expect(results.map((r) => r.outcome)).toEqual([
      { status: 'failed', code: 'Unexpected', retryable: true, message: 'non-Error thrown (string)' },
      { status: 'failed', code: 'Unexpected', retryable: true, message: 'non-Error thrown (null)' },
      { status: 'applied' },
    ]);
  });

  it('sends updates of one shard by different consumers one after the other, in event order', async () => {
    const client = createFakeClient();
    await applyCheckpoints(
      ids([
        cmd(0, 9, { consumer: 'c2', forceSuccess: true }),
        cmd(0, 1, { consumer: 'c1', forceSuccess: true }),
        cmd(0, 5),
      ]),
      deps(client, { concurrency: 8 }),
    );
    expect(client.maxInFlight).toBe(1);
    expect(client.updates.map((u) => u.update.consumer)).toEqual(['c2', 'c1', undefined]);
    expect(client.stored.get('proj/store/group')?.get(0)).toBe(cursor(5));
  });

  it('returns nothing and sends nothing for no commands', async () => {
    const client = createFakeClient();
    expect(await applyCheckpoints([], deps(client, { monotonic: true }))).toEqual([]);
    expect(client.updates).toHaveLength(0);
    expect(client.reads).toHaveLength(0);
  });

  describe('monotonic', () => {
    it('reads each consumer group once and skips updates that would move a shard backwards', async () => {
      const client = createFakeClient();
      const logger = recordingLogger();
      client.stored.set(
        'proj/store/group',
        new Map([
          [0, cursor(100)],
          [1, cursor(100)],
          [2, ''],
        ]),
      );
      const results = await applyCheckpoints(
        ids([cmd(0, 99), cmd(1, 101), cmd(2, 1), cmd(3, 1), cmd(0, 100, { consumerGroup: 'other' })]),
        deps(client, { monotonic: true, logger }),
      );
      expect(results.map((r) => [r.command.consumerGroup, r.command.shard, r.outcome.status])).toEqual([
        ['group', 0, 'skipped'],
        ['group', 1, 'applied'],
        ['group', 2, 'applied'],
        ['group', 3, 'applied'],
        ['other', 0, 'applied'],
      ]);
      expect(results[0]?.outcome).toEqual({ status: 'skipped', current: cursor(100) });
      expect(client.reads.map(groupName).sort()).toEqual(['proj/store/group', 'proj/store/other']);
      expect(client.updates.map((u) => `${u.target.consumerGroup}:${u.update.shard}`).sort()).toEqual([
        'group:1',
        'group:2',
        'group:3',
        'other:0',
      ]);
      expect(logger.lines.find((l) => l.event === 'checkpoint.skipped')?.fields).toMatchObject({
        shard: 0,
        checkpoint: cursor(99),
        current: cursor(100),
      });
    });

    it('sends an equal cursor (it does not move backwards)', async () => {
      const client = createFakeClient();
      client.stored.set('proj/store/group', new Map([[0, cursor(7)]]));
      const [result] = await applyCheckpoints(ids([cmd(0, 7)]), deps(client, { monotonic: true }));
      expect(result?.outcome.status).toBe('applied');
    });

    it('sends and logs a cursor that does not compare', async () => {
      const client = createFakeClient();
      const logger = recordingLogger();
      client.stored.set('proj/store/group', new Map([[0, 'aGVsbG8=']]));
      const [result] = await applyCheckpoints(ids([cmd(0, 1)]), deps(client, { monotonic: true, logger }));
      expect(result?.outcome.status).toBe('applied');
      expect(logger.lines.map((l) => l.event)).toContain('checkpoint.cursor_not_comparable');
    });

    it('shares one read across calls given the same `known` map, and remembers what it wrote', async () => {
      const client = createFakeClient();
      const known = new Map();
      await applyCheckpoints(ids([cmd(0, 10)]), deps(client, { monotonic: true, known }));
      client.stored.clear(); // a second read would now see nothing
      const [again] = await applyCheckpoints(ids([cmd(0, 9)]), deps(client, { monotonic: true, known }));
      expect(client.reads).toHaveLength(1);
      expect(again?.outcome).toEqual({ status: 'skipped', current: cursor(10) });
    });

    it("fails the group's updates when its checkpoints cannot be read, without sending them", async () => {
      const client = createFakeClient();
      client.onRead = (target) => {
        if (target.consumerGroup === 'group') throw apiError('ConsumerGroupNotExist', 404, false);
      };
      const results = await applyCheckpoints(
        ids([cmd(0, 1), cmd(1, 1), cmd(0, 1, { consumerGroup: 'other' })]),
        deps(client, { monotonic: true }),
      );
      expect(results.map((r) => (r.outcome.status === 'failed' ? r.outcome.code : r.outcome.status))).toEqual(
        ['ConsumerGroupNotExist', 'ConsumerGroupNotExist', 'applied'],
      );
      expect(client.reads).toHaveLength(2);
      expect(client.updates.map((u) => u.target.consumerGroup)).toEqual(['other']);
    });
  });
});
