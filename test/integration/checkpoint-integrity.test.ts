/**
 * The checkpoint function's promise, when SLS answers late: a record reported as landed is on its
 * shard (its cursor or a newer one written in the same invocation) once the invocation returns.
 * Real client, real HTTP, the emulator as SLS; its `delay` and `hold` faults apply a request
 * after the client stopped waiting for it, as a slow SLS does.
 */

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/checkpoint/cursor.ts';
import { cursor, fifoEventOf, lambdaContext, sqsEventOf } from '../helpers/factories.ts';
import { checkpointHandler, type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

let f: SlsFixture;

beforeEach(async () => {
  f = await startSlsFixture({ shards: 4 });
  // Writers that name themselves must exist in the group.
  const setup = f.client();
  for (const worker of ['worker-1', 'worker-2']) await setup.heartbeat(f.target, worker, []);
});
afterEach(async () => {
  await f.close();
});

const handlerFor = (options: { monotonic?: boolean } = {}) =>
  checkpointHandler(f, { ...options, client: { retry: { attemptTimeoutMs: 200, minAttemptMs: 20 } } });

const storedOf = (shard: number): bigint | undefined => {
  const found = f.emulator
    .checkpoints('test-project', 'test-logstore', 'test-group')
    .find((c) => c.shard === shard)?.checkpoint;
  return found ? decodeCursor(found) : undefined;
};

/**
 * Every record the reply does not name is on its shard: the shard holds its cursor or a newer
 * one. Checked after every request the emulator received has been applied, late ones included.
 */
async function expectContract(
  event: SQSEvent,
  reply: unknown,
): Promise<{ landed: number; reported: number }> {
  await f.emulator.idle();
  const failed = new Set((reply as SQSBatchResponse).batchItemFailures.map((r) => r.itemIdentifier));
  let landed = 0;
  for (const record of event.Records) {
    if (failed.has(record.messageId)) continue;
    const body = JSON.parse(record.body) as { shard: number; checkpoint: string };
    const want = decodeCursor(body.checkpoint) as bigint;
    const stored = storedOf(body.shard) ?? -1n;
    expect({ shard: body.shard, rewound: stored < want }).toEqual({ shard: body.shard, rewound: false });
    landed++;
  }
  return { landed, reported: failed.size };
}

const delayFirstWrite = (ms: number) =>
  f.emulator.injectFault({ operation: 'checkpoint', action: { kind: 'delay', ms } });

describe('a write that SLS applies after the client timed out', () => {
  it('reproduction 1: two writers of one shard in one SQS batch never rewind it', async () => {
    delayFirstWrite(450);
    const event = sqsEventOf([
      { shard: 0, checkpoint: cursor(100), consumer: 'worker-1', forceSuccess: true },
      { shard: 0, checkpoint: cursor(200) },
    ]);
    const reply = await handlerFor()(event, lambdaContext());
    const { landed } = await expectContract(event, reply);
    expect(landed).toBe(2);
    expect(storedOf(0)).toBe(200n);
  });

  it('reproduction 2: the same with CHECKPOINT_MONOTONIC', async () => {
    delayFirstWrite(450);
    const event = sqsEventOf([
      { shard: 0, checkpoint: cursor(100), consumer: 'worker-1', forceSuccess: true },
      { shard: 0, checkpoint: cursor(200) },
    ]);
    const reply = await handlerFor({ monotonic: true })(event, lambdaContext());
    const { landed } = await expectContract(event, reply);
    expect(landed).toBe(2);
    expect(storedOf(0)).toBe(200n);
  });

  it('a direct invocation keeps the same promise: no error, and the shard holds the newest value', async () => {
    delayFirstWrite(450);
    const summary = await handlerFor()(
      [
        { shard: 1, checkpoint: cursor(100), consumer: 'worker-1', forceSuccess: true },
        { shard: 1, checkpoint: cursor(200) },
      ],
      lambdaContext(),
    );
    expect(summary).toMatchObject({ records: 2, applied: 2, failed: 0, updates: 1 });
    await f.emulator.idle();
    expect(storedOf(1)).toBe(200n);
  });

  it('reproduction 3: a FIFO message group over shards 0, 1, 0 (three waves) never rewinds shard 0', async () => {
    delayFirstWrite(450);
    const event = fifoEventOf([
      ['writer', { shard: 0, checkpoint: cursor(100) }],
      ['writer', { shard: 1, checkpoint: cursor(150) }],
      ['writer', { shard: 0, checkpoint: cursor(200) }],
    ]);
    const reply = await handlerFor()(event, lambdaContext());
    const { landed } = await expectContract(event, reply);
    expect(landed).toBe(3);
    expect(storedOf(0)).toBe(200n);
  });
});

const requestsOf = (operation: 'checkpoint' | 'getCheckpoint') =>
  f.emulator.requests.filter((r) => r.operation === operation);

describe('one value per shard, and the happy path pays nothing for safety', () => {
  it('three writers over four shards: exactly one UpdateCheckPoint per shard and no read', async () => {
    const bodies = Array.from({ length: 60 }, (_, i) => ({
      shard: i % 4,
      checkpoint: cursor(1_000 + i),
      ...(i % 3 === 0 ? {} : { consumer: i % 3 === 1 ? 'worker-1' : 'worker-2', forceSuccess: true }),
    }));
    const event = sqsEventOf(bodies);
    const reply = await handlerFor()(event, lambdaContext());
    expect(await expectContract(event, reply)).toEqual({ landed: 60, reported: 0 });
    expect(requestsOf('checkpoint')).toHaveLength(4);
    expect(requestsOf('getCheckpoint')).toHaveLength(0);
  });

  it('a writer SLS refuses (ConsumerNotMatch) fails alone; the other writer of the shard lands', async () => {
    // worker-1 registered first and holds every shard; worker-2 holds none.
    await f.client().heartbeat(f.target, 'worker-1', [0, 1, 2, 3]);
    const event = sqsEventOf([
      { shard: 0, checkpoint: cursor(100), consumer: 'worker-1' },
      { shard: 0, checkpoint: cursor(200), consumer: 'worker-2' },
    ]);
    const reply = await handlerFor()(event, lambdaContext());
    expect(reply).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]?.messageId }] });
    expect(await expectContract(event, reply)).toEqual({ landed: 1, reported: 1 });
    expect(storedOf(0)).toBe(100n);
  });
});

describe('ambiguous attempts', () => {
  it('a reset after SLS applied the write, on every attempt: one read-back confirms it landed', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', times: 10, action: { kind: 'drop', applied: true } });
    const event = sqsEventOf([{ shard: 2, checkpoint: cursor(300) }]);
    const reply = await handlerFor()(event, lambdaContext());
    expect(await expectContract(event, reply)).toEqual({ landed: 1, reported: 0 });
    expect(requestsOf('getCheckpoint')).toHaveLength(1);
  });

  it('a reset before SLS applied, every time: written three times, read three times, then reported', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', times: 1_000, action: { kind: 'drop' } });
    const event = sqsEventOf([{ shard: 2, checkpoint: cursor(300) }]);
    const reply = await handlerFor()(event, lambdaContext());
    expect(await expectContract(event, reply)).toEqual({ landed: 0, reported: 1 });
    expect(requestsOf('getCheckpoint')).toHaveLength(3);
    expect(storedOf(2)).toBeUndefined();
  });

  it('a write SLS applies long after: its reply is awaited before the shard gets its next value', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', action: { kind: 'hold' } });
    const event = fifoEventOf([
      ['writer', { shard: 0, checkpoint: cursor(100) }],
      ['writer', { shard: 1, checkpoint: cursor(150) }],
      ['writer', { shard: 0, checkpoint: cursor(200) }],
    ]);
    let replied = false;
    const running = handlerFor()(event, lambdaContext()).then((reply) => {
      replied = true;
      return reply;
    });
    // The held attempt timed out on the client's side and was retried (and landed) meanwhile.
    while (requestsOf('checkpoint').length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(replied).toBe(false);
    expect(requestsOf('checkpoint').filter((r) => JSON.parse(r.body).shard === 1)).toHaveLength(0);
    expect(f.emulator.release()).toBe(1);
    const reply = await running;
    expect(await expectContract(event, reply)).toEqual({ landed: 3, reported: 0 });
    expect(storedOf(0)).toBe(200n);
  });

  it('a write still held at the deadline: its records are reported, and its late landing does not rewind', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', times: 1_000, action: { kind: 'hold' } });
    const event = sqsEventOf([
      { shard: 3, checkpoint: cursor(100) },
      { shard: 3, checkpoint: cursor(200) },
    ]);
    // 2 s safety margin: the deadline is 400 ms away.
    const reply = await handlerFor()(event, lambdaContext(2_400));
    expect((reply as SQSBatchResponse).batchItemFailures).toHaveLength(2);
    f.emulator.clearFaults();
    f.emulator.release();
    await f.emulator.idle();
    expect(storedOf(3)).toBe(200n);
  });
});
