/**
 * Seek commands end to end: the checkpoint handler with the real client over HTTP, the emulator's
 * shards holding log groups received at known times. What a seek leaves on each shard is
 * computed here from the log groups the test wrote, not asked of the emulator.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointCommandsError } from '../../src/handlers/checkpoint.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { eventBridgeEvent, fifoEventOf, lambdaContext, sqsEventOf } from '../helpers/factories.ts';
import { checkpointHandler, type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

const PROJECT = 'test-project';
const LOGSTORE = 'test-logstore';
const SHARDS = 3;

let f: SlsFixture;
let t0: number;
/** Per shard, the log groups written: when received (epoch ms) and their cursors. */
let logs: { at: number; cursor: string }[][];

beforeEach(async () => {
  // Shard 2 is read-only, as after a split: still read, still checkpointed, still sought.
  f = await startSlsFixture({ shards: SHARDS, logstore: { readOnlyShards: [2] } });
  t0 = f.clock.now();
  const received = [
    [t0 - 3_600_000, t0 - 1_800_000, t0 - 600_000, t0 - 60_000],
    [t0 - 7_200_000, t0 - 1_799_000, t0 - 1_000],
    [t0 - 5_000_000, t0 - 4_000_000],
  ];
  logs = received.map((times, shard) => {
    const cursors = f.emulator.writeLogGroups(PROJECT, LOGSTORE, shard, times);
    return times.map((at, i) => ({ at, cursor: cursors[i] as string }));
  });
});
afterEach(async () => {
  await f.close();
});

const stored = () => f.emulator.checkpoints(PROJECT, LOGSTORE, 'test-group').map((c) => c.checkpoint);
const seconds = (ms: number) => Math.floor(ms / 1000);
/** The first log group received at or after `ms`, if any. */
const firstFrom = (shard: number, ms: number) => logs[shard]?.find((g) => g.at >= ms)?.cursor;

/** A new log group on `shard`: its cursor is where `end` pointed just before. */
function nextCursor(shard: number): string {
  const last = logs[shard]?.at(-1)?.at ?? t0;
  const [next] = f.emulator.writeLogGroups(PROJECT, LOGSTORE, shard, [Math.max(last, f.clock.now())]);
  return next as string;
}

describe('seeking to a point in time', () => {
  it('leaves every shard at the first log group received at or after that time (direct invoke, unix seconds)', async () => {
    const from = seconds(t0 - 1_800_000);
    const summary = await checkpointHandler(f)({ shard: '*', from }, lambdaContext());
    expect(summary).toMatchObject({ records: 1, applied: 1, failed: 0, updates: SHARDS });
    // Shard 2 has nothing that recent: it goes to its end, where the next log group will be.
    expect(stored().slice(0, 2)).toEqual([firstFrom(0, t0 - 1_800_000), firstFrom(1, t0 - 1_800_000)]);
    expect(firstFrom(2, t0 - 1_800_000)).toBeUndefined();
    expect(stored()[2]).toBe(nextCursor(2));
    const ops = f.emulator.requests.map((r) => r.operation);
    expect(ops.filter((o) => o === 'listShards')).toHaveLength(1);
    expect(ops.filter((o) => o === 'getCursor')).toHaveLength(SHARDS);
    expect(ops.filter((o) => o === 'checkpoint')).toHaveLength(SHARDS);
  });

  it('takes an ISO-8601 time with its zone, from EventBridge', async () => {
    // 30 minutes before t0 (08:00 UTC), written in UTC+8; shard 1's log group one second later is the first.
    const summary = await checkpointHandler(f)(
      eventBridgeEvent({ shard: '*', from: '2026-11-23T15:30:00+08:00' }),
      lambdaContext(),
    );
    expect(summary).toMatchObject({ source: 'eventbridge', applied: 1 });
    expect(stored()[0]).toBe(firstFrom(0, t0 - 1_800_000));
    expect(stored()[1]).toBe(logs[1]?.[1]?.cursor);
  });

  it('seeks one shard from SQS, and reports a bad from or an unknown shard as that record’s failure', async () => {
    const event = sqsEventOf([
      { shard: 1, from: seconds(t0 - 2_000) },
      { shard: 0, from: 'yesterday' },
      { shard: 7, from: 'begin' },
    ]);
    const ids = event.Records.map((r) => r.messageId);
    const reply = (await checkpointHandler(f)(event, lambdaContext())) as SQSBatchResponse;
    expect(reply.batchItemFailures.map((r) => r.itemIdentifier)).toEqual([ids[1], ids[2]]);
    expect(stored()).toEqual(['', logs[1]?.[2]?.cursor, '']);
    const unknown = f.emulator.requests.find((r) => r.operation === 'getCursor' && r.errorCode !== undefined);
    expect(unknown).toMatchObject({ status: 400, errorCode: 'ShardNotExist' });
  });
});

describe('begin and end, as GetCursor documents them', () => {
  it('begin is the oldest log group kept; end is where the next one will be written', async () => {
    await checkpointHandler(f)([{ shard: '*', from: 'begin' }], lambdaContext());
    expect(stored()).toEqual(logs.map((l) => l[0]?.cursor));

    await checkpointHandler(f)([{ shard: '*', from: 'end' }], lambdaContext());
    // Nothing is at the end yet: the next log group each shard receives is exactly there.
    expect(stored()).toEqual([0, 1, 2].map(nextCursor));
  });
});

describe('monotonic mode', () => {
  it('moves shards back on purpose for a seek; a stale cursor is still skipped', async () => {
    const monotonic = checkpointHandler(f, { monotonic: true });
    await monotonic([{ shard: '*', from: 'end' }], lambdaContext());
    const atEnd = stored();

    const stale = await monotonic({ shard: 0, checkpoint: logs[0]?.[1]?.cursor }, lambdaContext());
    expect(stale).toMatchObject({ skipped: 1, applied: 0 });
    expect(stored()).toEqual(atEnd);

    const replay = await monotonic({ shard: '*', from: 'begin' }, lambdaContext());
    expect(replay).toMatchObject({ applied: 1, skipped: 0 });
    expect(stored()).toEqual(logs.map((l) => l[0]?.cursor));
  });
});

describe('a FIFO queue', () => {
  it('seeks every shard before the next record of the message group moves one of them on', async () => {
    const ahead = logs[1]?.[1]?.cursor as string;
    const reply = await checkpointHandler(f)(
      fifoEventOf([
        ['ops', { shard: '*', from: 'begin' }],
        ['ops', { shard: 1, checkpoint: ahead }],
      ]),
      lambdaContext(),
    );
    expect(reply).toEqual({ batchItemFailures: [] });
    expect(stored()).toEqual([logs[0]?.[0]?.cursor, ahead, logs[2]?.[0]?.cursor]);
    const writes = f.emulator.requests.filter((r) => r.operation === 'checkpoint');
    // Wave one: the seek on every shard; wave two: shard 1 on.
    expect(writes.map((w) => (JSON.parse(w.body) as { shard: number }).shard)).toEqual([0, 1, 2, 1]);
  });
});

describe('what a seek that does not land says', () => {
  it('names the shard and the seek, and lands the other shards', async () => {
    f.emulator.injectFault({
      operation: 'checkpoint',
      action: { kind: 'error', status: 404, code: 'ConsumerGroupNotExist' },
    });
    const error = await rejectionOf(
      checkpointHandler(f)({ shard: '*', from: 'begin', consumerGroup: 'test-group' }, lambdaContext()),
      CheckpointCommandsError,
    );
    expect(error.message).toMatch(
      /^1 of 1 checkpoint commands did not land: shard \d of "\*" of test-project\/test-logstore\/test-group \(seek to begin\): ConsumerGroupNotExist$/,
    );
    expect(stored().filter((c) => c !== '')).toHaveLength(SHARDS - 1);
  });
});
