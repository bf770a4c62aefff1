/**
 * GetCursor and GetCursorTime: the real client, signed over HTTP, against the emulator's shard
 * log (the reads the lag metric makes).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlsApiError, SlsResponseError, SlsValidationError } from '../../src/sls/errors.ts';
import type { HttpTransport } from '../../src/sls/http.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

let f: SlsFixture;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 2 });
});
afterEach(async () => {
  await f.close();
});

const secondsOf = (ms: number) => Math.floor(ms / 1000);

describe('GetCursor and GetCursorTime', () => {
  it('finds a shard’s begin, end and time cursors, and when each log group was received', async () => {
    const client = f.client();
    const t0 = f.clock.now();
    const written = f.emulator.writeLogGroups('test-project', 'test-logstore', 1, [t0 - 90_000, t0 - 30_000]);
    const begin = await client.getCursor(f.target, 1, 'begin');
    const end = await client.getCursor(f.target, 1, 'end');
    expect(begin).toBe(written[0]);
    expect(end).not.toBe(written[1]);
    expect(await client.getCursor(f.target, 1, secondsOf(t0 - 60_000))).toBe(written[1]);
    expect(await client.getCursorTime(f.target, 1, begin)).toBe(secondsOf(t0 - 90_000));
    expect(await client.getCursorTime(f.target, 1, written[1] as string)).toBe(secondsOf(t0 - 30_000));
    const reads = f.emulator.requests.map((r) => [r.operation, r.query.type, r.status]);
    expect(reads).toEqual([
      ['getCursor', 'cursor', 200],
      ['getCursor', 'cursor', 200],
      ['getCursor', 'cursor', 200],
      ['getCursorTime', 'cursor_time', 200],
      ['getCursorTime', 'cursor_time', 200],
    ]);
  });

  it('answers the current time for a shard without data', async () => {
    const client = f.client();
    const end = await client.getCursor(f.target, 0, 'end');
    expect(await client.getCursorTime(f.target, 0, end)).toBe(secondsOf(f.clock.now()));
  });

  it('signs a cursor that needs URL encoding (+ / =) and gets InvalidCursor for one outside the shard', async () => {
    const error = await rejectionOf(f.client().getCursorTime(f.target, 0, 'ab+/cd=='), SlsApiError);
    expect(error).toMatchObject({ code: 'InvalidCursor', status: 400, retryable: false });
    expect(f.emulator.requests[0]?.query.cursor).toBe('ab+/cd==');
  });

  it('refuses a shard that does not exist, and bad input before sending', async () => {
    const client = f.client();
    expect(await rejectionOf(client.getCursor(f.target, 7, 'end'), SlsApiError)).toMatchObject({
      code: 'ShardNotExist',
    });
    await rejectionOf(client.getCursor(f.target, -1, 'end'), SlsValidationError);
    await rejectionOf(client.getCursorTime(f.target, 0, 'not base64!'), SlsValidationError);
    expect(f.emulator.requests).toHaveLength(1);
  });

  it('reads cursor_time sent as a number or as a decimal string, and refuses anything else', async () => {
    const replies = [
      '{"cursor_time": 1554260243}',
      '{"cursor_time": "1554260243"}',
      '{"cursor_time": "soon"}',
    ];
    const transport: HttpTransport = {
      send: async () => ({
        status: 200,
        headers: { 'x-log-requestid': 'R1' },
        body: Buffer.from(replies.shift() ?? ''),
      }),
      close: async () => {},
    };
    const client = f.client({ transport });
    expect(await client.getCursorTime(f.target, 0, 'MTU=')).toBe(1554260243);
    expect(await client.getCursorTime(f.target, 0, 'MTU=')).toBe(1554260243);
    await rejectionOf(client.getCursorTime(f.target, 0, 'MTU='), SlsResponseError);
  });
});
