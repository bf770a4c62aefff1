import { describe, expect, it } from 'vitest';
import {
  type ApplyDeps,
  type ApplyInput,
  type ApplyReport,
  applyCheckpoints,
  type RecordOutcome,
} from '../../../src/checkpoint/apply.ts';
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

const ids = (commands: readonly CheckpointCommand[]): ApplyInput<number>[] =>
  commands.map((command, id) => ({ id, command }));
/** The outcomes in input order. */
const outcomesOf = (report: ApplyReport<number>): (RecordOutcome<number> | undefined)[] =>
  Array.from({ length: report.outcomes.size }, (_, id) => report.outcomes.get(id));
const statusesOf = (report: ApplyReport<number>) =>
  outcomesOf(report).map((o) => (o?.status === 'failed' ? o.code : o?.status));

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
    expect(statusesOf(results)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(results.values).toBe(2);
    expect(client.reads).toHaveLength(0);
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
    const shardNotExist = {
      status: 'failed',
      code: 'ShardNotExist',
      retryable: false,
      message: 'UpdateCheckPoint failed: 404 ShardNotExist',
    };
    expect(outcomesOf(results)).toEqual([
      { status: 'applied' },
      shardNotExist,
      shardNotExist,
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
    expect(outcomesOf(results)).toEqual([
      { status: 'failed', code: 'Unexpected', retryable: true, message: 'non-Error thrown (string)' },
      { status: 'failed', code: 'Unexpected', retryable: true, message: 'non-Error thrown (null)' },
      { status: 'applied' },
    ]);
  });

  it("collapses one shard's records to one request, whatever consumer each names, carrying the newest record's", async () => {
    const client = createFakeClient();
    const results = await applyCheckpoints(
      ids([
        cmd(0, 9, { consumer: 'c2', forceSuccess: true }),
        cmd(0, 1, { consumer: 'c1', forceSuccess: false }),
        cmd(0, 5, { consumer: 'c1', forceSuccess: false }),
      ]),
      deps(client, { concurrency: 8 }),
    );
    expect(client.updates.map((u) => u.update)).toEqual([
      { shard: 0, checkpoint: cursor(5), consumer: 'c1', forceSuccess: false },
    ]);
    expect(statusesOf(results)).toEqual(['applied', 'applied', 'applied']);
  });

  it('when SLS refuses the newest writer for its consumer, fails its records and writes the newest of the rest', async () => {
    const client = createFakeClient();
    const logger = recordingLogger();
    client.onUpdate = ({ update }) => {
      if (update.consumer === 'c2') throw apiError('ConsumerNotMatch', 400, false);
    };
    const results = await applyCheckpoints(
      ids([
        cmd(0, 1, { consumer: 'c1', forceSuccess: false }),
        cmd(0, 2, { consumer: 'c2', forceSuccess: false }),
        cmd(0, 3),
        cmd(0, 4, { consumer: 'c2', forceSuccess: false }),
      ]),
      deps(client, { logger }),
    );
    expect(client.updates.map((u) => [u.update.consumer, u.update.checkpoint])).toEqual([
      ['c2', cursor(4)],
      [undefined, cursor(3)],
    ]);
    expect(statusesOf(results)).toEqual(['applied', 'ConsumerNotMatch', 'applied', 'ConsumerNotMatch']);
    expect(results.values).toBe(2);
    expect(logger.lines.filter((l) => l.event === 'checkpoint.failed').map((l) => l.fields)).toEqual([
      expect.objectContaining({ shard: 0, consumer: 'c2', code: 'ConsumerNotMatch', records: 2 }),
    ]);
  });

  it('reads the shard back after an ambiguous failure and reports what it holds', async () => {
    const client = createFakeClient();
    // Applied, but the connection was lost before the reply: the client cannot tell.
    const ambiguous = new SlsNetworkError('connection failed (UND_ERR_SOCKET)', {
      code: 'NetworkError',
      retryable: true,
      ambiguous: true,
    });
    const original = client.updateCheckpoint.bind(client);
    client.updateCheckpoint = async (target, update, options) => {
      await original(target, update, options);
      throw ambiguous;
    };
    const results = await applyCheckpoints(ids([cmd(0, 1), cmd(0, 2)]), deps(client));
    expect(statusesOf(results)).toEqual(['applied', 'applied']);
    expect(client.updates).toHaveLength(1);
    expect(client.reads).toHaveLength(1);
  });

  it('returns nothing and sends nothing for no commands', async () => {
    const client = createFakeClient();
    expect(await applyCheckpoints([], deps(client, { monotonic: true }))).toEqual({
      outcomes: new Map(),
      values: 0,
      requests: { writes: 0, readBacks: 0, lookups: 0 },
    });
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
      expect(statusesOf(results)).toEqual(['skipped', 'applied', 'applied', 'applied', 'applied']);
      expect(results.outcomes.get(0)).toEqual({ status: 'skipped', current: cursor(100) });
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
      const result = await applyCheckpoints(ids([cmd(0, 7)]), deps(client, { monotonic: true }));
      expect(statusesOf(result)).toEqual(['applied']);
    });

    it('sends and logs a cursor that does not compare', async () => {
      const client = createFakeClient();
      const logger = recordingLogger();
      client.stored.set('proj/store/group', new Map([[0, 'aGVsbG8=']]));
      const result = await applyCheckpoints(ids([cmd(0, 1)]), deps(client, { monotonic: true, logger }));
      expect(statusesOf(result)).toEqual(['applied']);
      expect(logger.lines.map((l) => l.event)).toContain('checkpoint.cursor_not_comparable');
    });

    it('shares one read across calls given the same `known` map, and remembers what it wrote', async () => {
      const client = createFakeClient();
      const known = new Map();
      await applyCheckpoints(ids([cmd(0, 10)]), deps(client, { monotonic: true, known }));
      client.stored.clear(); // a second read would now see nothing
      const again = await applyCheckpoints(ids([cmd(0, 9)]), deps(client, { monotonic: true, known }));
      expect(client.reads).toHaveLength(1);
      expect(again.outcomes.get(0)).toEqual({ status: 'skipped', current: cursor(10) });
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
      expect(statusesOf(results)).toEqual(['ConsumerGroupNotExist', 'ConsumerGroupNotExist', 'applied']);
      expect(client.reads).toHaveLength(2);
      expect(client.updates.map((u) => u.target.consumerGroup)).toEqual(['other']);
    });
  });
});
