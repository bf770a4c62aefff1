/**
 * `{"action":"status"}` end to end: the checkpoint handler with the real client over HTTP, the
 * emulator's group with consumers, checkpoints and shard logs of known times. The expected lag is
 * computed here from the log groups the test wrote.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlsApiError } from '../../src/sls/errors.ts';
import { readGroupStatus } from '../../src/status/status.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { lambdaContext } from '../helpers/factories.ts';
import { recordingLogger } from '../helpers/logger.ts';
import { checkpointHandler, type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

const PROJECT = 'test-project';
const LOGSTORE = 'test-logstore';

let f: SlsFixture;
let t0: number;
const s = (ms: number) => Math.floor(ms / 1000);

beforeEach(async () => {
  f = await startSlsFixture({ shards: 4, groupTimeoutSeconds: 120, logstore: { readOnlyShards: [3] } });
  t0 = f.clock.now();
});
afterEach(async () => {
  await f.close();
});

/**
 * Shard 0: consumed one of three log groups (the next one waits since t0 − 90 s); shard 1: at
 * its end; shard 2: never checkpointed; shard 3 (read-only): its only log group consumed.
 * Consumers c1 and c2 hold two shards each.
 */
async function groupState() {
  const client = f.client();
  const zero = f.emulator.writeLogGroups(PROJECT, LOGSTORE, 0, [t0 - 120_000, t0 - 90_000, t0 - 30_000]);
  const one = f.emulator.writeLogGroups(PROJECT, LOGSTORE, 1, [t0 - 10_000]);
  f.emulator.writeLogGroups(PROJECT, LOGSTORE, 2, [t0 - 5_000]);
  const three = f.emulator.writeLogGroups(PROJECT, LOGSTORE, 3, [t0 - 600_000]);
  await client.heartbeat(f.target, 'c1', []);
  await client.heartbeat(f.target, 'c2', []);
  const write = (shard: number, checkpoint: string) =>
    client.updateCheckpoint(f.target, { shard, checkpoint, forceSuccess: true });
  await write(0, zero[1] as string);
  f.clock.advance(1_000);
  const end1 = await client.getCursor(f.target, 1, 'end');
  await write(1, end1);
  const end3 = await client.getCursor(f.target, 3, 'end');
  await write(3, end3);
  f.emulator.clearRequests();
  return { zero, one, end1, end3, three };
}

describe('status', () => {
  it('reports settings, consumers and each shard’s checkpoint, times, owner and lag', async () => {
    const { zero, end1, end3 } = await groupState();
    const now = f.clock.now();
    const logger = recordingLogger();
    const status = await checkpointHandler(f, { logger })({ action: 'status' }, lambdaContext());
    const owners = f.emulator.checkpoints(PROJECT, LOGSTORE, 'test-group').map((c) => c.consumer);
    expect(new Set(owners)).toEqual(new Set(['c1', 'c2']));
    expect(status).toEqual({
      project: PROJECT,
      logstore: LOGSTORE,
      consumerGroup: 'test-group',
      measuredAt: s(now),
      timeoutSeconds: 120,
      inOrder: false,
      consumers: [
        { consumer: 'c1', shards: [0, 1, 2, 3].filter((x) => owners[x] === 'c1') },
        { consumer: 'c2', shards: [0, 1, 2, 3].filter((x) => owners[x] === 'c2') },
      ],
      // Shard 0: the log group at its checkpoint was received 90 s before t0, and 1 s has passed.
      lagSeconds: 91,
      shardErrors: 0,
      shards: [
        {
          shard: 0,
          status: 'readwrite',
          checkpoint: zero[1],
          checkpointTime: s(t0 - 90_000),
          consumer: owners[0],
          updateTime: s(t0),
          endCursor: expect.any(String),
          endTime: s(now),
          lagSeconds: 91,
        },
        {
          shard: 1,
          status: 'readwrite',
          checkpoint: end1,
          checkpointTime: s(now),
          consumer: owners[1],
          updateTime: s(now),
          endCursor: end1,
          endTime: s(now),
          lagSeconds: 0,
        },
        {
          shard: 2,
          status: 'readwrite',
          checkpoint: undefined,
          checkpointTime: undefined,
          consumer: owners[2],
          updateTime: undefined,
          endCursor: expect.any(String),
          endTime: s(now),
          lagSeconds: undefined,
        },
        {
          shard: 3,
          status: 'readonly',
          checkpoint: end3,
          checkpointTime: s(now),
          consumer: owners[3],
          updateTime: s(now),
          endCursor: end3,
          endTime: s(now),
          lagSeconds: 0,
        },
      ],
    });
    expect(logger.events('checkpoint.status')[0]?.fields).toMatchObject({
      consumerGroup: 'test-group',
      lagSeconds: 91,
      shards: 4,
      shardErrors: 0,
    });
  });

  it('only reads: 3 group reads, then at most 3 per shard', async () => {
    await groupState();
    await checkpointHandler(f)({ action: 'status' }, lambdaContext());
    const ops = f.emulator.requests.map((r) => r.operation);
    expect(ops.slice(0, 3).sort()).toEqual(['getCheckpoint', 'listConsumerGroups', 'listShards']);
    // GetCursor(end) and GetCursorTime(end) for each shard; GetCursorTime of shard 0's checkpoint.
    expect(ops.filter((o) => o === 'getCursor')).toHaveLength(4);
    expect(ops.filter((o) => o === 'getCursorTime')).toHaveLength(5);
    expect(ops).toHaveLength(12);
    expect(f.emulator.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('reads another group and logstore when asked, and fails for a group that does not exist', async () => {
    f.emulator.createConsumerGroup(PROJECT, LOGSTORE, 'other-group', { timeoutSeconds: 30, inOrder: true });
    const other = await checkpointHandler(f)(
      { action: 'status', consumerGroup: 'other-group', logstore: LOGSTORE, project: PROJECT },
      lambdaContext(),
    );
    expect(other).toMatchObject({
      consumerGroup: 'other-group',
      timeoutSeconds: 30,
      inOrder: true,
      consumers: [],
    });
    const error = await rejectionOf(
      checkpointHandler(f)({ action: 'status', consumerGroup: 'no-such-group' }, lambdaContext()),
      SlsApiError,
    );
    expect(error).toMatchObject({ code: 'ConsumerGroupNotExist', status: 404 });
  });

  it('refuses a malformed request or another action, naming the field', async () => {
    await expect(checkpointHandler(f)({ action: 'status', shard: 1 }, lambdaContext())).rejects.toThrow(
      'checkpoint: invalid action: request has unknown field shard',
    );
    await expect(checkpointHandler(f)({ action: 'seek' }, lambdaContext())).rejects.toThrow(
      'checkpoint: invalid action: action must be one of "status"',
    );
    expect(f.emulator.requests).toHaveLength(0);
  });

  it('reports a shard it cannot read with its error, and the rest of the group', async () => {
    await groupState();
    f.emulator.injectFault({
      operation: 'getCursorTime',
      times: 100,
      action: { kind: 'error', status: 400, code: 'InvalidCursor' },
    });
    const status = await readGroupStatus(f.target, {
      client: f.client(),
      now: f.clock.now,
      deadline: f.clock.now() + 30_000,
      concurrency: 2,
    });
    expect(status.shardErrors).toBe(4);
    expect(status.lagSeconds).toBe(0);
    expect(status.shards[0]).toMatchObject({
      endCursor: expect.any(String),
      lagSeconds: undefined,
      error: { code: 'InvalidCursor', message: expect.stringMatching(/^GetCursorTime shard 0 on/) },
    });
  });

  it('reads at most `concurrency` shards at once, every request bounded by the invocation’s deadline', async () => {
    await groupState();
    const client = f.client();
    const deadlines = new Set<number | undefined>();
    /** Shards being read (a GetCursor or GetCursorTime in flight), and the most at once. */
    let reading = 0;
    let most = 0;
    const counted =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>, shardRead = false) =>
      async (...args: A): Promise<R> => {
        if (shardRead) most = Math.max(most, ++reading);
        deadlines.add((args.at(-1) as { deadline?: number }).deadline);
        try {
          return await call(...args);
        } finally {
          if (shardRead) reading--;
        }
      };
    const status = await readGroupStatus(f.target, {
      client: {
        listConsumerGroups: counted(client.listConsumerGroups.bind(client)),
        listShards: counted(client.listShards.bind(client)),
        getCheckpoints: counted(client.getCheckpoints.bind(client)),
        getCursor: counted(client.getCursor.bind(client), true),
        getCursorTime: counted(client.getCursorTime.bind(client), true),
      },
      now: f.clock.now,
      deadline: t0 + 12_345,
      concurrency: 2,
    });
    expect(status.shardErrors).toBe(0);
    // Each shard's reads go one after the other, two shards at a time.
    expect(most).toBe(2);
    expect([...deadlines]).toEqual([t0 + 12_345]);
  });
});
