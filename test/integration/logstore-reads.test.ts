/**
 * ListShards, ListConsumerGroup and the cursor reads over a shard log that fills by itself at a
 * write rate: the real client, signed over HTTP, against the emulator (and, below the client,
 * the raw replies and errors the API pages document).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlsApiError, SlsResponseError } from '../../src/sls/errors.ts';
import type { HttpTransport } from '../../src/sls/http.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { type SlsFixture, sendSigned, startSlsFixture } from '../helpers/sls.ts';

const PROJECT = 'test-project';
/** The position an emulator cursor stands for (base64 of a decimal). */
const position = (cursor: string): bigint => BigInt(Buffer.from(cursor, 'base64').toString());
const logstore = { endpoint: '', project: PROJECT, logstore: 'rated-store' };

let f: SlsFixture;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 3 });
  logstore.endpoint = f.emulator.url;
});
afterEach(async () => {
  await f.close();
});

describe('ListShards', () => {
  it('lists every shard with its status, hash range and creation time, read-only ones included', async () => {
    const created = Math.floor(f.clock.now() / 1000);
    f.emulator.createLogstore(PROJECT, 'split-store', 2, { readOnlyShards: [0] });
    const raw = await sendSigned(f, { method: 'GET', path: '/logstores/split-store/shards' });
    expect(raw).toEqual({
      status: 200,
      json: [
        {
          shardID: 0,
          status: 'readonly',
          inclusiveBeginKey: '00000000000000000000000000000000',
          exclusiveEndKey: '80000000000000000000000000000000',
          createTime: created,
        },
        {
          shardID: 1,
          status: 'readwrite',
          inclusiveBeginKey: '80000000000000000000000000000000',
          exclusiveEndKey: 'ffffffffffffffffffffffffffffffff',
          createTime: created,
        },
      ],
    });
    const shards = await f.client().listShards({ ...f.target, logstore: 'split-store' });
    expect(shards.map((s) => [s.shard, s.status])).toEqual([
      [0, 'readonly'],
      [1, 'readwrite'],
    ]);
    expect(f.emulator.requests.map((r) => r.operation)).toEqual(['listShards', 'listShards']);
  });

  it('answers LogStoreNotExist for an unknown logstore', async () => {
    const error = await rejectionOf(
      f.client().listShards({ ...f.target, logstore: 'no-such-store' }),
      SlsApiError,
    );
    expect(error).toMatchObject({ code: 'LogStoreNotExist', status: 404, retryable: false });
  });

  it('refuses a reply with a shard id no request may carry', async () => {
    const transport: HttpTransport = {
      send: async () => ({
        status: 200,
        headers: {},
        body: Buffer.from('[{"shardID": 4294967296, "status": "readwrite"}]'),
      }),
      close: async () => {},
    };
    const error = await rejectionOf(f.client({ transport }).listShards(f.target), SlsResponseError);
    expect(error.message).toMatch(
      /^ListShards reply does not have the documented shape \(reply\[0\]\.shardID/,
    );
  });
});

describe('ListConsumerGroup', () => {
  it('lists the groups with their timeout and order under `name`, as the SDKs read them', async () => {
    f.emulator.createConsumerGroup(PROJECT, 'test-logstore', 'ordered-group', {
      timeoutSeconds: 120,
      inOrder: true,
    });
    const raw = await sendSigned(f, { method: 'GET', path: '/logstores/test-logstore/consumergroups' });
    expect(raw).toEqual({
      status: 200,
      json: [
        { name: 'test-group', timeout: 60, order: false },
        { name: 'ordered-group', timeout: 120, order: true },
      ],
    });
    expect(await f.client().listConsumerGroups(f.target)).toEqual([
      { consumerGroup: 'test-group', timeoutSeconds: 60, inOrder: false },
      { consumerGroup: 'ordered-group', timeoutSeconds: 120, inOrder: true },
    ]);
  });

  it('also reads the name from `consumerGroup`, as the API page’s table calls it', async () => {
    const transport: HttpTransport = {
      send: async () => ({
        status: 200,
        headers: {},
        body: Buffer.from(
          '[{"consumerGroup": "g1", "timeout": 30, "order": true}, {"timeout": 1, "order": false}]',
        ),
      }),
      close: async () => {},
    };
    const error = await rejectionOf(f.client({ transport }).listConsumerGroups(f.target), SlsResponseError);
    expect(error.message).toMatch(/reply\[1\] must name the group/);
  });
});

describe('shards that receive log groups at a write rate', () => {
  beforeEach(() => {
    // Two log groups a second on every shard, from now on.
    f.emulator.createLogstore(PROJECT, 'rated-store', 2, { writeRate: 2 });
  });

  it('grows with the clock: end moves, begin stays, a time finds the first log group at or after it', async () => {
    const client = f.client();
    const t0 = f.clock.now();
    const begin = await client.getCursor(logstore, 0, 'begin');
    const distance = (cursor: string) => position(cursor) - position(begin);
    // The first log group arrives as the logstore is created.
    expect(distance(await client.getCursor(logstore, 0, 'end'))).toBe(1n);
    f.clock.advance(10_000);
    // Log groups at t0, t0 + 0.5 s, …, t0 + 10 s: 21 of them.
    const end = await client.getCursor(logstore, 0, 'end');
    expect(await client.getCursor(logstore, 0, 'begin')).toBe(begin);
    expect(distance(end)).toBe(21n);
    const at = await client.getCursor(logstore, 0, Math.floor(t0 / 1000) + 4);
    expect(distance(at)).toBe(8n);
    expect(await client.getCursorTime(logstore, 0, at)).toBe(Math.floor(t0 / 1000) + 4);
    // Past the last log group: the end, whose time is now.
    expect(await client.getCursor(logstore, 0, Math.floor(t0 / 1000) + 60)).toBe(end);
    expect(await client.getCursorTime(logstore, 0, end)).toBe(Math.floor(f.clock.now() / 1000));
  });

  it('takes a test’s own log groups in time order, after the rate’s', async () => {
    const t0 = f.clock.now();
    f.clock.advance(1_000);
    const [mine] = f.emulator.writeLogGroups(PROJECT, 'rated-store', 1, [t0 + 1_200]);
    expect(await f.client().getCursorTime(logstore, 1, mine as string)).toBe(Math.floor((t0 + 1_200) / 1000));
    expect(() => f.emulator.writeLogGroups(PROJECT, 'rated-store', 1, [t0 + 100])).toThrow(/time order/);
  });

  it('answers the documented errors: a bad from, an unknown shard', async () => {
    const badFrom = await sendSigned(f, {
      method: 'GET',
      path: '/logstores/rated-store/shards/0',
      query: { type: 'cursor', from: 'yesterday' },
    });
    expect(badFrom).toMatchObject({ status: 400, json: { errorCode: 'ParameterInvalid' } });
    const error = await rejectionOf(f.client().getCursor(logstore, 5, 'end'), SlsApiError);
    // The GetCursor and GetCursorTime pages say 400 (UpdateCheckPoint's says 404).
    expect(error).toMatchObject({ code: 'ShardNotExist', status: 400, retryable: false });
  });
});
