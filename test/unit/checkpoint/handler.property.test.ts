/** Property: whatever the records hold, the SQS handler answers, and only with ids of the batch. */

import type { SQSBatchResponse } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandBody } from '../../../src/checkpoint/command.ts';
import { createCheckpointHandler } from '../../../src/handlers/checkpoint.ts';
import { silentLogger } from '../../../src/log.ts';
import { cursor, lambdaContext, sqsEvent, sqsRecord } from '../../helpers/factories.ts';
import { apiError, createFakeClient } from './fake-client.ts';

const defaults = { project: 'proj', logstore: 'store', consumerGroup: 'group' };

const validCommand = fc.record(
  {
    shard: fc.integer({ min: 0, max: 5 }),
    checkpoint: fc.bigInt({ min: 0n, max: 2n ** 64n }).map(cursor),
    consumer: fc.constantFrom('c1', 'c-2'),
    forceSuccess: fc.boolean(),
    project: fc.constantFrom('proj', 'proj-b'),
    consumerGroup: fc.constantFrom('group', 'group_b'),
  },
  { requiredKeys: ['shard', 'checkpoint'] },
);

/** A command with one field replaced by anything at all. */
const mangledCommand = fc
  .tuple(
    validCommand,
    fc.constantFrom('shard', 'checkpoint', 'consumer', 'project', 'extra', 'forceSuccess'),
    fc.jsonValue(),
  )
  .map(([command, field, value]) => ({ ...command, [field]: value }));

const body = fc.oneof(
  validCommand.map((c) => JSON.stringify(c)),
  mangledCommand.map((c) => JSON.stringify(c)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', 'null', '[]', '{}', '{"shard":', '1e999', '"\\u0000"', '{"__proto__":{"shard":1}}'),
);

/** What the fake SLS does with each request. */
const behaviour = fc.constantFrom('ok', 'reject', 'busy', 'string-throw', 'undefined-throw', 'type-error');

const batch = fc.record({
  bodies: fc.array(fc.tuple(body, fc.constantFrom('g1', 'g2', 'g3')), { maxLength: 40 }),
  fifo: fc.boolean(),
  monotonic: fc.boolean(),
  behaviours: fc.array(behaviour, { minLength: 1, maxLength: 8 }),
});

function build(behaviours: readonly string[], monotonic: boolean) {
  const client = createFakeClient();
  let call = 0;
  const act = () => {
    const what = behaviours[call++ % behaviours.length];
    if (what === 'reject') throw apiError('ShardNotExist', 404, false);
    if (what === 'busy') throw apiError('ServerBusy', 503);
    if (what === 'string-throw') throw 'boom';
    if (what === 'undefined-throw') throw undefined;
    if (what === 'type-error') throw new TypeError('cannot read properties of undefined');
  };
  client.onUpdate = act;
  client.onRead = act;
  const fn = createCheckpointHandler({
    config: { endpoint: 'http://127.0.0.1:9', ...defaults, monotonic, concurrency: 3, logLevel: 'info' },
    client,
    logger: silentLogger,
    now: () => 0,
  });
  return { client, fn };
}

describe('SQS handler under random records', () => {
  it('never throws, and reports only ids of the batch, including every invalid record', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async ({ bodies, fifo, monotonic, behaviours }) => {
        const { fn } = build(behaviours, monotonic);
        const event = sqsEvent(
          bodies.map(([text, group], i) =>
            sqsRecord(text, { messageId: `m${i}`, ...(fifo ? { groupId: group } : {}) }),
          ),
        );
        const reply = (await fn(event, lambdaContext())) as SQSBatchResponse;
        const ids = new Set(event.Records.map((r) => r.messageId));
        const reported = reply.batchItemFailures.map((f) => f.itemIdentifier);
        expect(reported.every((id) => ids.has(id))).toBe(true);
        expect(new Set(reported).size).toBe(reported.length);
        for (const record of event.Records) {
          if (!parseCommandBody(record.body, defaults).ok) expect(reported).toContain(record.messageId);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with a healthy SLS on a standard queue, reports exactly the invalid records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(body, { maxLength: 40 }), async (bodies) => {
        const { fn, client } = build(['ok'], false);
        const event = sqsEvent(bodies.map((text, i) => sqsRecord(text, { messageId: `m${i}` })));
        const reply = (await fn(event, lambdaContext())) as SQSBatchResponse;
        const invalid = event.Records.filter((r) => !parseCommandBody(r.body, defaults).ok).map(
          (r) => r.messageId,
        );
        expect(reply.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(invalid);
        // One request per distinct (group, shard), whatever consumers the records name.
        const keys = new Set(
          event.Records.flatMap((r) => {
            const parsed = parseCommandBody(r.body, defaults);
            if (!parsed.ok) return [];
            const c = parsed.command;
            return [JSON.stringify([c.project, c.consumerGroup, c.shard])];
          }),
        );
        expect(client.updates).toHaveLength(keys.size);
      }),
      { numRuns: 200 },
    );
  });
});
