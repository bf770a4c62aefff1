import type { SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  CheckpointCommandsError,
  type CheckpointHandlerDeps,
  createCheckpointHandler,
  detectEvent,
  handler,
} from '../../../src/handlers/checkpoint.ts';
import type { CredentialsProvider } from '../../../src/sls/types.ts';
import { checkpointConfig } from '../../helpers/configs.ts';
import {
  cursor,
  eventBridgeEvent,
  fifoEventOf,
  lambdaContext,
  sqsEvent,
  sqsEventOf,
  sqsRecord,
} from '../../helpers/factories.ts';
import { apiError, createFakeClient, recordingLogger } from './fake-client.ts';

const NOW = Date.UTC(2026, 10, 23, 8, 0, 0);
const config = checkpointConfig();

function setup(overrides: Partial<CheckpointHandlerDeps> = {}) {
  const client = createFakeClient();
  const logger = recordingLogger();
  const fn = createCheckpointHandler({ config, client, logger, now: () => NOW, ...overrides });
  return { client, logger, fn };
}

const failuresOf = (reply: unknown) =>
  (reply as SQSBatchResponse).batchItemFailures.map((f) => f.itemIdentifier);

describe('detectEvent', () => {
  it('recognises a standard SQS batch', () => {
    const event = sqsEvent([sqsRecord({ shard: 1 }, { messageId: 'm1' })]);
    expect(detectEvent(event)).toEqual({
      kind: 'sqs',
      fifo: false,
      records: [{ messageId: 'm1', body: '{"shard":1}', group: undefined }],
    });
  });

  it('recognises a FIFO batch and its message groups', () => {
    const detected = detectEvent(
      fifoEventOf([
        ['g1', {}],
        ['g2', {}],
      ]),
    );
    expect(detected).toMatchObject({ kind: 'sqs', fifo: true, records: [{ group: 'g1' }, { group: 'g2' }] });
  });

  it('treats an empty record list as an empty SQS batch', () => {
    expect(detectEvent({ Records: [] })).toEqual({ kind: 'sqs', fifo: false, records: [] });
  });

  it('recognises EventBridge by detail-type and detail', () => {
    const event = eventBridgeEvent({ shard: 1 });
    expect(detectEvent(event)).toEqual({ kind: 'eventbridge', id: event.id, detail: { shard: 1 } });
  });

  it.each<[string, unknown, unknown]>([
    ['one command', { shard: 1 }, { kind: 'direct', commands: [{ shard: 1 }], single: true }],
    [
      'an array',
      [{ shard: 1 }, { shard: 2 }],
      { kind: 'direct', commands: [{ shard: 1 }, { shard: 2 }], single: false },
    ],
    ['null', null, { kind: 'direct', commands: [null], single: true }],
    ['a string', 'hi', { kind: 'direct', commands: ['hi'], single: true }],
    [
      'detail without detail-type',
      { detail: {} },
      { kind: 'direct', commands: [{ detail: {} }], single: true },
    ],
  ])('treats %s as a direct invocation', (_name, event, expected) => {
    expect(detectEvent(event)).toEqual(expected);
  });

  it.each<[string, unknown, RegExp]>([
    ['S3 records', { Records: [{ eventSource: 'aws:s3' }] }, /Records from aws:s3/],
    ['Kinesis records', { Records: [{ eventSource: 'aws:kinesis' }] }, /Records from aws:kinesis/],
    ['SNS records', { Records: [{ EventSource: 'aws:sns' }] }, /Records from aws:sns/],
    ['mixed records', { Records: [sqsRecord({}), { eventSource: 'aws:dynamodb' }] }, /aws:dynamodb/],
    ['a non-object record', { Records: [42] }, /Records from number/],
    [
      'a record without messageId',
      { Records: [{ eventSource: 'aws:sqs', body: '{}' }] },
      /record 0 has no messageId/,
    ],
  ])('refuses %s', (_name, event, reason) => {
    const detected = detectEvent(event);
    expect(detected.kind).toBe('unsupported');
    expect(detected.kind === 'unsupported' && detected.reason).toMatch(reason);
  });
});

describe('SQS', () => {
  it('reports exactly the invalid and the rejected records, one request per shard', async () => {
    const { client, logger, fn } = setup();
    client.onUpdate = ({ update }) => {
      if (update.shard === 9) throw apiError('ShardNotExist', 404, false);
    };
    const event = sqsEvent([
      sqsRecord({ shard: 0, checkpoint: cursor(1) }, { messageId: 'a' }),
      sqsRecord('not json', { messageId: 'b' }),
      sqsRecord({ shard: 9, checkpoint: cursor(1) }, { messageId: 'c' }),
      sqsRecord({ shard: 0, checkpoint: cursor(2) }, { messageId: 'd' }),
      sqsRecord({ shard: 1, checkpoint: 'nope!' }, { messageId: 'e' }),
      sqsRecord({ shard: 9, checkpoint: cursor(2) }, { messageId: 'f' }),
    ]);
    const reply = await fn(event, lambdaContext());
    expect(reply).toEqual({
      batchItemFailures: [
        { itemIdentifier: 'b' },
        { itemIdentifier: 'c' },
        { itemIdentifier: 'e' },
        { itemIdentifier: 'f' },
      ],
    });
    expect(client.updates.map((u) => [u.update.shard, u.update.checkpoint])).toEqual([
      [0, cursor(2)],
      [9, cursor(2)],
    ]);
    expect(logger.lines.filter((l) => l.event === 'checkpoint.invalid').map((l) => l.fields)).toEqual([
      expect.objectContaining({ messageId: 'b', error: 'body is not valid JSON' }),
      expect.objectContaining({ messageId: 'e', error: expect.stringMatching(/^checkpoint must be base64/) }),
    ]);
    const summary = logger.lines.filter((l) => l.event === 'checkpoint.summary');
    expect(summary).toHaveLength(1);
    expect(summary[0]?.fields).toMatchObject({
      source: 'sqs',
      records: 6,
      applied: 2,
      invalid: 2,
      failed: 2,
      updates: 2,
      coalesced: 2,
      failures: 4,
      fifo: false,
      awsRequestId: expect.any(String),
    });
  });

  it('uses the configured defaults and the forceSuccess rule', async () => {
    const { client, fn } = setup();
    await fn(
      sqsEventOf([
        { shard: 0, checkpoint: cursor(1) },
        { shard: 1, checkpoint: cursor(1), consumer: 'c1' },
        { shard: 2, checkpoint: cursor(1), consumer: 'c1', forceSuccess: true, project: 'other-project' },
      ]),
      lambdaContext(),
    );
    expect(client.updates.map((u) => [u.target, u.update])).toEqual([
      [
        { endpoint: config.endpoint, project: 'proj', logstore: 'store', consumerGroup: 'group' },
        { shard: 0, checkpoint: cursor(1), consumer: undefined, forceSuccess: true },
      ],
      [
        { endpoint: config.endpoint, project: 'proj', logstore: 'store', consumerGroup: 'group' },
        { shard: 1, checkpoint: cursor(1), consumer: 'c1', forceSuccess: false },
      ],
      [
        { endpoint: config.endpoint, project: 'other-project', logstore: 'store', consumerGroup: 'group' },
        { shard: 2, checkpoint: cursor(1), consumer: 'c1', forceSuccess: true },
      ],
    ]);
  });

  it('rejects forceSuccess false without a consumer without sending it', async () => {
    const { client, fn } = setup();
    const event = sqsEventOf([{ shard: 0, checkpoint: cursor(1), forceSuccess: false }]);
    expect(failuresOf(await fn(event, lambdaContext()))).toEqual([event.Records[0]?.messageId]);
    expect(client.updates).toHaveLength(0);
  });

  it('gives the client the remaining time minus the safety margin as deadline', async () => {
    const { client, fn } = setup();
    await fn(sqsEventOf([{ shard: 0, checkpoint: cursor(1) }]), lambdaContext(30_000));
    expect(client.updates[0]?.options).toEqual({ deadline: NOW + 30_000 - 2_000 });
  });

  it('FIFO: a failed record holds back the later records of its group only', async () => {
    const { client, fn, logger } = setup();
    client.onUpdate = ({ update }) => {
      if (update.shard === 5) throw apiError('ServerBusy', 503);
    };
    const event = fifoEventOf([
      ['A', { shard: 5, checkpoint: cursor(1) }],
      ['B', { shard: 1, checkpoint: cursor(1) }],
      ['A', { shard: 0, checkpoint: cursor(2) }],
      ['B', { shard: 2, checkpoint: cursor(1) }],
      ['A', 'garbage'],
    ]);
    const ids = event.Records.map((r) => r.messageId);
    const reply = await fn(event, lambdaContext());
    expect(failuresOf(reply)).toEqual([ids[0], ids[2], ids[4]]);
    expect(client.updates.map((u) => u.update.shard).sort()).toEqual([1, 2, 5]);
    expect(logger.lines.filter((l) => l.event === 'checkpoint.blocked').map((l) => l.fields)).toEqual([
      expect.objectContaining({ messageId: ids[2], group: 'A', after: ids[0] }),
    ]);
    // An invalid record keeps that (more useful) reason even behind a failure.
    expect(logger.lines.find((l) => l.event === 'checkpoint.invalid')?.fields).toMatchObject({
      messageId: ids[4],
    });
  });

  it('a non-Error throw fails only the records of that request', async () => {
    const { client, fn } = setup();
    client.onUpdate = ({ update }) => {
      if (update.shard === 1) throw 'oops';
    };
    const event = sqsEventOf([
      { shard: 0, checkpoint: cursor(1) },
      { shard: 1, checkpoint: cursor(1) },
    ]);
    expect(failuresOf(await fn(event, lambdaContext()))).toEqual([event.Records[1]?.messageId]);
  });

  it('a failure before the handler (credentials) reports every record instead of rejecting the batch', async () => {
    const credentials: CredentialsProvider = {
      get: () => Promise.reject(new Error('secret not found')),
      refresh: () => Promise.reject(new Error('secret not found')),
    };
    const { client, fn, logger } = setup({ credentials });
    const event = sqsEventOf([{ shard: 0, checkpoint: cursor(1) }, 'junk']);
    const reply = await fn(event, lambdaContext());
    expect(failuresOf(reply)).toEqual(event.Records.map((r) => r.messageId));
    expect(client.updates).toHaveLength(0);
    expect(logger.lines.find((l) => l.event === 'checkpoint.invocation_failed')?.fields).toMatchObject({
      source: 'sqs',
      error: { message: 'secret not found' },
    });
  });

  it("middy's early timeout still yields a partial reply naming every record", async () => {
    const { client, fn } = setup();
    client.onUpdate = () => new Promise(() => {}); // never answers
    const event = sqsEventOf([{ shard: 0, checkpoint: cursor(1) }]);
    const reply = await fn(event, lambdaContext(20));
    expect(failuresOf(reply)).toEqual([event.Records[0]?.messageId]);
  });

  it('an unexpected exception in the use case reports every record, valid or not', async () => {
    const logger = recordingLogger();
    const fn = createCheckpointHandler({
      config: {
        ...config,
        get concurrency(): number {
          throw new RangeError('bug');
        },
      },
      client: createFakeClient(),
      logger,
    });
    const event = sqsEventOf([{ shard: 0, checkpoint: cursor(1) }, 'junk']);
    expect(failuresOf(await fn(event, lambdaContext()))).toEqual(event.Records.map((r) => r.messageId));
    expect(logger.lines.map((l) => l.event)).toContain('checkpoint.batch_crashed');
  });

  it('lists a duplicated messageId once', async () => {
    const { fn } = setup();
    const event = sqsEvent([sqsRecord('x', { messageId: 'same' }), sqsRecord('y', { messageId: 'same' })]);
    expect(failuresOf(await fn(event, lambdaContext()))).toEqual(['same']);
  });

  it('answers an empty batch with no failures', async () => {
    const { fn } = setup();
    expect(await fn({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
  });
});

describe('EventBridge', () => {
  it('applies the command in detail and returns a summary', async () => {
    const { client, fn } = setup();
    const summary = await fn(eventBridgeEvent({ shard: 3, checkpoint: cursor(7) }), lambdaContext());
    expect(summary).toEqual({
      source: 'eventbridge',
      records: 1,
      applied: 1,
      skipped: 0,
      invalid: 0,
      failed: 0,
      blocked: 0,
      updates: 1,
      coalesced: 0,
    });
    expect(client.updates[0]?.update).toEqual({
      shard: 3,
      checkpoint: cursor(7),
      consumer: undefined,
      forceSuccess: true,
    });
  });

  it('throws an error naming the shard, group and code when SLS rejects it', async () => {
    const { client, fn } = setup();
    client.onUpdate = () => {
      throw apiError('ConsumerNotExist', 404, false);
    };
    const failure = fn(
      eventBridgeEvent({ shard: 3, checkpoint: cursor(7), consumer: 'ghost' }),
      lambdaContext(),
    );
    await expect(failure).rejects.toThrow(
      'the checkpoint command in detail did not land: shard 3 of proj/store/group (consumer ghost): ConsumerNotExist',
    );
    await expect(failure).rejects.toBeInstanceOf(CheckpointCommandsError);
  });

  it('throws naming the field of an invalid detail', async () => {
    const { fn } = setup();
    await expect(
      fn(eventBridgeEvent({ shard: 'x', checkpoint: cursor(1) }), lambdaContext()),
    ).rejects.toThrow('the checkpoint command in detail did not land: invalid: shard must be an integer');
    await expect(fn(eventBridgeEvent([{ shard: 1 }]), lambdaContext())).rejects.toThrow(
      'invalid: detail must be a JSON object, got an array',
    );
  });
});

describe('direct invocation', () => {
  it('applies an array, coalescing, and returns the summary', async () => {
    const { client, fn } = setup();
    const summary = await fn(
      [
        { shard: 0, checkpoint: cursor(1) },
        { shard: 0, checkpoint: cursor(2) },
        { shard: 1, checkpoint: cursor(1) },
      ],
      lambdaContext(),
    );
    expect(summary).toMatchObject({ source: 'direct', records: 3, applied: 3, updates: 2, coalesced: 1 });
    expect(client.updates).toHaveLength(2);
  });

  it('applies what it can, then throws naming each failed command by index', async () => {
    const { client, fn } = setup();
    client.onUpdate = ({ update }) => {
      if (update.shard === 4) throw apiError('ShardNotExist', 404, false);
    };
    const failure = fn(
      [{ shard: 0, checkpoint: cursor(1) }, { shard: 4, checkpoint: cursor(1) }, { shard: 1 }],
      lambdaContext(),
    );
    await expect(failure).rejects.toThrow(
      '2 of 3 checkpoint commands did not land: command[1] shard 4 of proj/store/group: ShardNotExist; command[2] invalid: checkpoint or from is required',
    );
    const error = (await failure.catch((e: unknown) => e)) as CheckpointCommandsError;
    expect(error.failures.map((f) => f.index)).toEqual([1, 2]);
    expect(error.summary).toMatchObject({ applied: 1, failed: 1, invalid: 1 });
    expect(client.stored.get('proj/store/group')?.get(0)).toBe(cursor(1));
  });

  it('names the index even in an array of one', async () => {
    const { fn } = setup();
    await expect(fn([{ shard: 1 }], lambdaContext())).rejects.toThrow(
      '1 of 1 checkpoint commands did not land: command[0] invalid: checkpoint or from is required',
    );
  });

  it('lists at most 20 failures by name', async () => {
    const { fn } = setup();
    const failure = fn(
      Array.from({ length: 25 }, () => null),
      lambdaContext(),
    );
    await expect(failure).rejects.toThrow(
      /command\[19\] invalid: command must be a JSON object, got null; and 5 more$/,
    );
  });

  it('a failing credentials load is thrown, not swallowed', async () => {
    const credentials: CredentialsProvider = {
      get: () => Promise.reject(new Error('secret not found')),
      refresh: () => Promise.reject(new Error('secret not found')),
    };
    const { fn } = setup({ credentials });
    await expect(fn({ shard: 0, checkpoint: cursor(1) }, lambdaContext())).rejects.toThrow(
      'secret not found',
    );
  });

  it('refuses records of another service', async () => {
    const { fn } = setup();
    await expect(fn({ Records: [{ eventSource: 'aws:s3' }] }, lambdaContext())).rejects.toThrow(
      'checkpoint: unsupported event: Records from aws:s3 are not supported',
    );
  });
});

describe('module entry point', () => {
  it('is built from the environment at import', () => {
    expect(typeof handler).toBe('function');
    expect(typeof handler.use).toBe('function');
  });
});
