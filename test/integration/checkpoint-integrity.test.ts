/**
 * The checkpoint function's promise, when SLS answers late: a record reported as landed is on its
 * shard (its cursor or a newer one written in the same invocation) once the invocation returns.
 * Real client, real HTTP, the emulator as SLS; its `delay` and `hold` faults apply a request
 * after the client stopped waiting for it, as a slow SLS does.
 */

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/checkpoint/cursor.ts';
import { createCheckpointHandler } from '../../src/handlers/checkpoint.ts';
import { silentLogger } from '../../src/log.ts';
import { cursor, fifoEventOf, lambdaContext, sqsEventOf } from '../helpers/factories.ts';
import { type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

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

function handlerFor(options: { monotonic?: boolean; attemptTimeoutMs?: number } = {}) {
  return createCheckpointHandler({
    config: {
      endpoint: f.emulator.url,
      project: 'test-project',
      logstore: 'test-logstore',
      consumerGroup: 'test-group',
      monotonic: options.monotonic ?? false,
      concurrency: 4,
      logLevel: 'info',
    },
    client: f.client({ retry: { attemptTimeoutMs: options.attemptTimeoutMs ?? 200, minAttemptMs: 20 } }),
    logger: silentLogger,
    now: f.clock.now,
  });
}

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
