/**
 * The checkpoint handler end to end: real SlsClient, real HTTP, the emulator as SLS. Time is the
 * fixture's manual clock, so retries and backoff take no real time.
 */

import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/emulator/types.ts';
import { CheckpointCommandsError } from '../../src/handlers/checkpoint.ts';
import type { SlsClientOptions } from '../../src/sls/client.ts';
import {
  cursor,
  eventBridgeEvent,
  fifoEventOf,
  lambdaContext,
  sqsEvent,
  sqsEventOf,
  sqsRecord,
} from '../helpers/factories.ts';
import { checkpointHandler, type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

const SHARDS = 4;
let f: SlsFixture;

beforeEach(async () => {
  f = await startSlsFixture({ shards: SHARDS });
});
afterEach(async () => {
  await f.close();
});

const handlerFor = (
  options: { monotonic?: boolean; concurrency?: number; client?: Partial<SlsClientOptions> } = {},
) => checkpointHandler(f, options);

const checkpointRequests = (): RecordedRequest[] =>
  f.emulator.requests.filter((r) => r.operation === 'checkpoint');
const stored = () =>
  f.emulator.checkpoints('test-project', 'test-logstore', 'test-group').map((c) => c.checkpoint);
const failuresOf = (reply: unknown) =>
  (reply as SQSBatchResponse).batchItemFailures.map((r) => r.itemIdentifier);

describe('SQS standard queue', () => {
  it('collapses several hundred updates to one request per shard, each shard ending at its last checkpoint', async () => {
    const bodies = Array.from({ length: 400 }, (_, i) => ({
      shard: (i * 7) % SHARDS,
      checkpoint: cursor(1_000_000 + i),
    }));
    const last = new Map<number, string>();
    for (const b of bodies) last.set(b.shard, b.checkpoint);

    const reply = await handlerFor()(sqsEventOf(bodies), lambdaContext());

    expect(reply).toEqual({ batchItemFailures: [] });
    const requests = checkpointRequests();
    expect(requests).toHaveLength(SHARDS);
    expect(requests.map((r) => (JSON.parse(r.body) as { shard: number }).shard).sort()).toEqual([0, 1, 2, 3]);
    expect(stored()).toEqual([0, 1, 2, 3].map((s) => last.get(s)));
  });

  it('sends forceSuccess=true without a consumer, and the consumer with forceSuccess=false when given', async () => {
    const setup = f.client();
    await setup.heartbeat(f.target, 'worker-1', []);
    const reply = await handlerFor()(
      sqsEventOf([
        { shard: 0, checkpoint: cursor(10) },
        { shard: 1, checkpoint: cursor(11), consumer: 'worker-1' },
      ]),
      lambdaContext(),
    );
    expect(reply).toEqual({ batchItemFailures: [] });
    const queries = checkpointRequests().map((r) => r.query);
    expect(queries).toContainEqual({ type: 'checkpoint', forceSuccess: 'true' });
    expect(queries).toContainEqual({ type: 'checkpoint', forceSuccess: 'false', consumer: 'worker-1' });
    expect(stored().slice(0, 2)).toEqual([cursor(10), cursor(11)]);
  });

  it('retries a 503 and lands', async () => {
    f.emulator.injectFault({
      operation: 'checkpoint',
      times: 2,
      action: { kind: 'error', status: 503, code: 'ServerBusy' },
    });
    const reply = await handlerFor()(
      sqsEventOf([0, 1, 2, 3].map((shard) => ({ shard, checkpoint: cursor(shard + 100) }))),
      lambdaContext(),
    );
    expect(reply).toEqual({ batchItemFailures: [] });
    const statuses = checkpointRequests().map((r) => r.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(stored()).toEqual([cursor(100), cursor(101), cursor(102), cursor(103)]);
  });

  it('retries a dropped connection and lands', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', action: { kind: 'drop' } });
    const reply = await handlerFor()(sqsEventOf([{ shard: 2, checkpoint: cursor(5) }]), lambdaContext());
    expect(reply).toEqual({ batchItemFailures: [] });
    expect(checkpointRequests().map((r) => r.fault ?? r.status)).toEqual(['drop', 200]);
    expect(stored()[2]).toBe(cursor(5));
  });

  it('reports a shard that keeps failing after the retries the deadline allows', async () => {
    f.emulator.injectFault({
      operation: 'checkpoint',
      times: 1_000,
      action: { kind: 'error', status: 503, code: 'ServerBusy' },
    });
    const started = f.clock.now();
    const event = sqsEventOf([{ shard: 0, checkpoint: cursor(1) }]);
    const reply = await handlerFor({ client: { retry: { maxAttempts: 50, attemptTimeoutMs: 2_000 } } })(
      event,
      lambdaContext(5_000),
    );
    expect(failuresOf(reply)).toEqual([event.Records[0]?.messageId]);
    expect(checkpointRequests().length).toBeGreaterThan(1);
    expect(f.clock.now()).toBeLessThanOrEqual(started + 5_000 - 2_000);
  });

  it('reports exactly the records of a shard SLS rejects for good (ShardNotExist), without retrying it', async () => {
    const records = [
      sqsRecord({ shard: 0, checkpoint: cursor(1) }),
      sqsRecord({ shard: 9, checkpoint: cursor(1) }),
      sqsRecord({ shard: 1, checkpoint: cursor(1) }),
      sqsRecord({ shard: 9, checkpoint: cursor(2) }),
      sqsRecord('{"shard": 1, "checkpoint": "not base64"}'),
    ];
    const reply = await handlerFor()(sqsEvent(records), lambdaContext());
    expect(failuresOf(reply).sort()).toEqual(
      [records[1], records[3], records[4]].map((r) => r?.messageId).sort(),
    );
    const rejected = checkpointRequests().filter((r) => r.errorCode !== undefined);
    expect(rejected.map((r) => [r.status, r.errorCode])).toEqual([[404, 'ShardNotExist']]);
    expect(stored().slice(0, 2)).toEqual([cursor(1), cursor(1)]);
  });

  it('reports a consumer that does not exist (ConsumerNotExist) and one that does not hold the shard', async () => {
    const setup = f.client();
    await setup.heartbeat(f.target, 'worker-1', []); // gets all four shards
    await setup.heartbeat(f.target, 'worker-2', []); // rebalanced: worker-2 takes two of them
    const held = f.emulator
      .consumers('test-project', 'test-logstore', 'test-group')
      .find((c) => c.name === 'worker-1')?.assigned;
    const notHeld = [0, 1, 2, 3].find((s) => !held?.includes(s)) ?? -1;
    // Three different shards: records of one shard would collapse into one write.
    const elsewhere = [0, 1, 2, 3].find((s) => s !== notHeld && s !== held?.[0]) ?? -1;
    const records = [
      sqsRecord({ shard: elsewhere, checkpoint: cursor(1), consumer: 'ghost' }),
      sqsRecord({ shard: notHeld, checkpoint: cursor(1), consumer: 'worker-1' }),
      sqsRecord({ shard: held?.[0], checkpoint: cursor(1), consumer: 'worker-1' }),
    ];
    const reply = await handlerFor()(sqsEvent(records), lambdaContext());
    expect(failuresOf(reply).sort()).toEqual([records[0]?.messageId, records[1]?.messageId].sort());
    expect(
      checkpointRequests()
        .map((r) => [r.query.consumer, r.errorCode ?? r.status])
        .sort(),
    ).toEqual([
      ['ghost', 'ConsumerNotExist'],
      ['worker-1', 200],
      ['worker-1', 'ConsumerNotMatch'],
    ]);
  });

  it('a forced update by a consumer lands even on a shard it does not hold', async () => {
    await f.client().heartbeat(f.target, 'worker-1', []);
    await f.client().heartbeat(f.target, 'worker-2', []);
    const held = f.emulator
      .consumers('test-project', 'test-logstore', 'test-group')
      .find((c) => c.name === 'worker-2')?.assigned;
    const notHeld = [0, 1, 2, 3].find((s) => !held?.includes(s)) ?? -1;
    const reply = await handlerFor()(
      sqsEventOf([{ shard: notHeld, checkpoint: cursor(3), consumer: 'worker-2', forceSuccess: true }]),
      lambdaContext(),
    );
    expect(reply).toEqual({ batchItemFailures: [] });
    expect(checkpointRequests()[0]?.query).toEqual({
      type: 'checkpoint',
      forceSuccess: 'true',
      consumer: 'worker-2',
    });
  });

  it('never sends forceSuccess=false without a consumer: such a record is invalid', async () => {
    const event = sqsEventOf([{ shard: 0, checkpoint: cursor(1), forceSuccess: false }]);
    expect(failuresOf(await handlerFor()(event, lambdaContext()))).toEqual([event.Records[0]?.messageId]);
    expect(checkpointRequests()).toHaveLength(0);
  });

  it('a group that does not exist fails its records only', async () => {
    const event = sqsEventOf([
      { shard: 0, checkpoint: cursor(1), consumerGroup: 'no-such-group' },
      { shard: 0, checkpoint: cursor(2) },
    ]);
    expect(failuresOf(await handlerFor()(event, lambdaContext()))).toEqual([event.Records[0]?.messageId]);
    expect(stored()[0]).toBe(cursor(2));
  });
});

describe('SQS FIFO queue', () => {
  it('holds back the later records of a group after one fails, and sends nothing for them', async () => {
    const event = fifoEventOf([
      ['A', { shard: 0, checkpoint: cursor(10) }],
      ['B', { shard: 1, checkpoint: cursor(10) }],
      ['A', { shard: 9, checkpoint: cursor(11) }], // ShardNotExist
      ['B', { shard: 1, checkpoint: cursor(12) }],
      ['A', { shard: 0, checkpoint: cursor(13) }], // must not move shard 0 past the failed record
      ['B', { shard: 2, checkpoint: cursor(14) }],
    ]);
    const ids = event.Records.map((r) => r.messageId);
    const reply = await handlerFor()(event, lambdaContext());
    expect(failuresOf(reply)).toEqual([ids[2], ids[4]]);
    expect(stored().slice(0, 3)).toEqual([cursor(10), cursor(12), cursor(14)]);
    const sent = checkpointRequests().map((r) => r.body);
    expect(sent).not.toContainEqual(expect.stringContaining(cursor(13)));
    // B's consecutive records for shard 1 were one request.
    expect(sent.filter((b) => b.includes('"shard":1'))).toHaveLength(1);
  });

  it('one message group per shard: one request per shard, in a single wave', async () => {
    const entries: [string, unknown][] = [];
    for (let i = 0; i < 10; i++) entries.push([`shard-${i % 2}`, { shard: i % 2, checkpoint: cursor(i) }]);
    const reply = await handlerFor()(fifoEventOf(entries), lambdaContext());
    expect(reply).toEqual({ batchItemFailures: [] });
    expect(checkpointRequests()).toHaveLength(2);
    expect(stored().slice(0, 2)).toEqual([cursor(8), cursor(9)]);
  });
});

describe('monotonic mode', () => {
  it('reads the group once and skips an update that would move a shard backwards', async () => {
    const setup = f.client();
    await setup.updateCheckpoint(f.target, { shard: 0, checkpoint: cursor(1_000), forceSuccess: true });
    await setup.updateCheckpoint(f.target, { shard: 1, checkpoint: cursor(1_000), forceSuccess: true });
    f.emulator.clearRequests();

    const reply = await handlerFor({ monotonic: true })(
      sqsEventOf([
        { shard: 0, checkpoint: cursor(999) }, // behind: skipped, not a failure
        { shard: 1, checkpoint: cursor(1_001) },
        { shard: 2, checkpoint: cursor(5) }, // never set: applied
        { shard: 3, checkpoint: cursor(7) },
      ]),
      lambdaContext(),
    );

    expect(reply).toEqual({ batchItemFailures: [] });
    expect(f.emulator.requests.filter((r) => r.operation === 'getCheckpoint')).toHaveLength(1);
    expect(
      checkpointRequests()
        .map((r) => (JSON.parse(r.body) as { shard: number }).shard)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(stored()).toEqual([cursor(1_000), cursor(1_001), cursor(5), cursor(7)]);
  });
});

describe('EventBridge', () => {
  it('applies the command in detail and returns a summary', async () => {
    const summary = await handlerFor()(
      eventBridgeEvent({ shard: 3, checkpoint: cursor(42) }),
      lambdaContext(),
    );
    expect(summary).toMatchObject({ source: 'eventbridge', applied: 1, failed: 0 });
    expect(stored()[3]).toBe(cursor(42));
  });

  it('throws naming the shard, group and code so Lambda retries it', async () => {
    const failure = handlerFor()(eventBridgeEvent({ shard: 5, checkpoint: cursor(42) }), lambdaContext());
    await expect(failure).rejects.toThrow(
      'the checkpoint command in detail did not land: shard 5 of test-project/test-logstore/test-group: ShardNotExist',
    );
  });

  it('retries a 503 inside the invocation before giving up', async () => {
    f.emulator.injectFault({
      operation: 'checkpoint',
      action: { kind: 'error', status: 503, code: 'ServerBusy' },
    });
    await handlerFor()(eventBridgeEvent({ shard: 1, checkpoint: cursor(1) }), lambdaContext());
    expect(checkpointRequests().map((r) => r.status)).toEqual([503, 200]);
  });
});

describe('direct invocation', () => {
  it('applies one command', async () => {
    const summary = await handlerFor()({ shard: 2, checkpoint: cursor(8) }, lambdaContext());
    expect(summary).toMatchObject({ source: 'direct', records: 1, applied: 1 });
    expect(stored()[2]).toBe(cursor(8));
  });

  it('applies an array, then throws naming each command that did not land', async () => {
    const failure = handlerFor()(
      [
        { shard: 0, checkpoint: cursor(1) },
        { shard: 0, checkpoint: cursor(2) },
        { shard: 6, checkpoint: cursor(1) },
        { shard: 1, checkpoint: cursor(1), consumer: 'ghost' },
      ],
      lambdaContext(),
    );
    const error = (await failure.catch((e: unknown) => e)) as CheckpointCommandsError;
    expect(error).toBeInstanceOf(CheckpointCommandsError);
    expect(error.message).toBe(
      '2 of 4 checkpoint commands did not land: command[2] shard 6 of test-project/test-logstore/test-group: ShardNotExist; ' +
        'command[3] shard 1 of test-project/test-logstore/test-group (consumer ghost): ConsumerNotExist',
    );
    expect(error.summary).toMatchObject({ applied: 2, failed: 2, updates: 3, coalesced: 1 });
    expect(stored()[0]).toBe(cursor(2));
  });
});
