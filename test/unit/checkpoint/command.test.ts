import { describe, expect, it } from 'vitest';
import { MAX_BODY_CHARS, parseCommand, parseCommandBody } from '../../../src/checkpoint/command.ts';

const defaults = { project: 'default-project', logstore: 'default-store', consumerGroup: 'default-group' };
const CURSOR = 'MTUyNDE1NTM3OTM3MzkwODQ5Ng==';
const valid = { shard: 3, checkpoint: CURSOR };

function errorOf(input: unknown): string {
  const result = parseCommand(input, defaults);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error;
}

describe('parseCommand', () => {
  it('resolves defaults for project, logstore and group', () => {
    expect(parseCommand(valid, defaults)).toEqual({
      ok: true,
      command: { ...defaults, shard: 3, checkpoint: CURSOR, consumer: undefined, forceSuccess: true },
    });
  });

  it('keeps explicit names', () => {
    const result = parseCommand(
      { ...valid, project: 'p-1', logstore: 'store_1', consumerGroup: 'g_1', consumer: 'worker.1' },
      defaults,
    );
    expect(result).toMatchObject({
      ok: true,
      command: { project: 'p-1', logstore: 'store_1', consumerGroup: 'g_1', consumer: 'worker.1' },
    });
  });

  describe('forceSuccess rule', () => {
    it.each([
      [{}, true],
      [{ forceSuccess: true }, true],
      [{ consumer: 'c1' }, false],
      [{ consumer: 'c1', forceSuccess: false }, false],
      [{ consumer: 'c1', forceSuccess: true }, true],
    ])('%j gives forceSuccess %s', (extra, expected) => {
      const result = parseCommand({ ...valid, ...extra }, defaults);
      expect(result.ok && result.command.forceSuccess).toBe(expected);
    });

    it('rejects an explicit false without a consumer', () => {
      expect(errorOf({ ...valid, forceSuccess: false })).toMatch(
        /^forceSuccess must be true or absent when no consumer/,
      );
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /^command must be a JSON object, got null$/],
    ['an array', [valid], /^command must be a JSON object, got an array$/],
    ['a string', 'shard 1', /^command must be a JSON object, got a string$/],
    ['a number', 42, /^command must be a JSON object, got a number$/],
    ['undefined', undefined, /^command must be a JSON object, got undefined$/],
    ['an empty object', {}, /^shard is required; checkpoint or from is required$/],
    ['no checkpoint', { shard: 1 }, /^checkpoint or from is required$/],
    [
      'a string shard',
      { ...valid, shard: '1' },
      /^shard must be an integer, or "\*" \(every shard\) with from$/,
    ],
    ['a fractional shard', { ...valid, shard: 1.5 }, /^shard must be an integer$/],
    ['a negative shard', { ...valid, shard: -1 }, /^shard must be between 0 and 2147483647$/],
    ['a huge shard', { ...valid, shard: 1e300 }, /^shard must be between 0 and 2147483647$/],
    ['an unsafe integer shard', { ...valid, shard: 2 ** 53 + 2 }, /^shard must be between 0/],
    ['an infinite shard', { ...valid, shard: Number.POSITIVE_INFINITY }, /^shard must be an integer$/],
    ['a null shard', { ...valid, shard: null }, /^shard must be an integer$/],
    ['a numeric checkpoint', { ...valid, checkpoint: 1524155379 }, /^checkpoint must be a string$/],
    ['an empty checkpoint', { ...valid, checkpoint: '' }, /^checkpoint must not be empty$/],
    ['a non-base64 checkpoint', { ...valid, checkpoint: 'not base64!' }, /^checkpoint must be base64/],
    ['an unpadded checkpoint', { ...valid, checkpoint: 'MTI' }, /^checkpoint must be base64/],
    ['a url-safe checkpoint', { ...valid, checkpoint: 'ab-_' }, /^checkpoint must be base64/],
    ['a huge checkpoint', { ...valid, checkpoint: 'A'.repeat(2048) }, /^checkpoint must be at most 1024/],
    ['an unknown field', { ...valid, shardId: 1 }, /^command has unknown field shardId$/],
    ['unknown fields', { ...valid, a: 1, b: 2 }, /^command has unknown fields a, b$/],
    ['an upper-case project', { ...valid, project: 'Prod' }, /^project may contain only lower-case/],
    ['a short project', { ...valid, project: 'ab' }, /^project must be 3 to 63 characters long, got 2$/],
    ['a numeric project', { ...valid, project: 7 }, /^project must be a string$/],
    ['a logstore with a slash', { ...valid, logstore: 'a/b' }, /^logstore may contain only/],
    ['a group with a query', { ...valid, consumerGroup: 'g?x=1' }, /^consumerGroup may contain only/],
    ['a consumer with a space', { ...valid, consumer: 'a b' }, /^consumer may contain only/],
    ['an empty consumer', { ...valid, consumer: '' }, /^consumer must be 1 to 128 characters long, got 0$/],
    ['a string forceSuccess', { ...valid, forceSuccess: 'true' }, /^forceSuccess must be a boolean$/],
    ['a null consumer', { ...valid, consumer: null }, /^consumer must be a string$/],
  ])('rejects %s with a message naming the field', (_name, input, message) => {
    expect(errorOf(input)).toMatch(message);
  });

  it('reports several bad fields at once', () => {
    expect(errorOf({ shard: -1, checkpoint: '@', project: 'X' })).toBe(
      'project must be 3 to 63 characters long, got 1; shard must be between 0 and 2147483647; checkpoint must be base64 (A-Z, a-z, 0-9, +, / and = padding)',
    );
  });

  it('never echoes a bad value', () => {
    const secretish = 'LTAI5tSuperSecretValue';
    expect(errorOf({ ...valid, project: secretish })).not.toContain(secretish);
    expect(errorOf({ ...valid, checkpoint: `${secretish}!` })).not.toContain(secretish);
  });

  it('keeps errors short however many unknown fields there are', () => {
    const input = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`field${i}`, i]));
    expect(errorOf({ ...valid, ...input }).length).toBeLessThanOrEqual(303);
  });

  it('does not throw on an object whose getters throw', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    expect(parseCommand(hostile, defaults)).toEqual({ ok: false, error: 'command could not be read' });
  });

  it('names the root it is given', () => {
    expect(parseCommand(null, defaults, 'detail')).toEqual({
      ok: false,
      error: 'detail must be a JSON object, got null',
    });
  });
});

describe('parseCommandBody', () => {
  it('parses a JSON body', () => {
    expect(parseCommandBody(JSON.stringify({ ...valid, consumer: 'c1' }), defaults)).toMatchObject({
      ok: true,
      command: { shard: 3, consumer: 'c1', forceSuccess: false },
    });
  });

  it.each<[string, unknown, string]>([
    ['garbage', 'shard=1&checkpoint=x', 'body is not valid JSON'],
    ['an empty body', '', 'body is not valid JSON'],
    ['truncated JSON', '{"shard": 1, "checkpoint": "MTI=', 'body is not valid JSON'],
    ['a JSON array', '[{"shard":1}]', 'body must be a JSON object, got an array'],
    ['JSON null', 'null', 'body must be a JSON object, got null'],
    ['a JSON string', '"hello"', 'body must be a JSON object, got a string'],
    ['a non-string body', { shard: 1 }, 'body must be a string, got an object'],
    ['an undefined body', undefined, 'body must be a string, got undefined'],
  ])('rejects %s', (_name, body, message) => {
    expect(parseCommandBody(body, defaults)).toEqual({ ok: false, error: message });
  });

  it('does not echo the body in a JSON error', () => {
    const result = parseCommandBody('{"accessKeySecret": "hunter2", oops}', defaults);
    expect(result).toEqual({ ok: false, error: 'body is not valid JSON' });
  });

  it('reads a huge number as out of range', () => {
    expect(parseCommandBody(`{"shard": 1${'0'.repeat(400)}, "checkpoint": "${CURSOR}"}`, defaults)).toEqual({
      ok: false,
      error: 'shard must be an integer',
    });
  });

  it('refuses an oversized body without parsing it', () => {
    const body = JSON.stringify({ ...valid, pad: 'x'.repeat(MAX_BODY_CHARS) });
    const result = parseCommandBody(body, defaults);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^body is \d+ characters long; a command is at most 16384$/);
  });

  it('treats a __proto__ key as an unknown field, not as a prototype', () => {
    expect(
      parseCommandBody(`{"shard":1,"checkpoint":"${CURSOR}","__proto__":{"consumer":"x"}}`, defaults),
    ).toEqual({
      ok: false,
      error: 'body has unknown field __proto__',
    });
  });
});

describe('seek commands (from)', () => {
  const seek = (extra: Record<string, unknown>) => parseCommand({ shard: 3, ...extra }, defaults);

  it.each<[unknown, unknown]>([
    ['begin', 'begin'],
    ['end', 'end'],
    [1_795_420_800, 1_795_420_800],
    [0, 0],
    ['2026-11-23T08:00:00Z', 1_795_420_800],
    ['2026-11-23T16:00:00+08:00', 1_795_420_800],
    ['2026-11-23T03:00-0500', 1_795_420_800],
    // SLS positions by whole seconds: the fraction is dropped, so a replay starts no later.
    ['2026-11-23T08:00:00.999Z', 1_795_420_800],
    ['2024-02-29T00:00:00Z', 1_709_164_800],
  ])('takes from %j as %j', (from, expected) => {
    expect(seek({ from })).toEqual({
      ok: true,
      command: { ...defaults, shard: 3, from: expected, consumer: undefined, forceSuccess: true },
    });
  });

  it('seeks every shard with "*"', () => {
    expect(parseCommand({ shard: '*', from: 'end', consumer: 'c1' }, defaults)).toEqual({
      ok: true,
      command: { ...defaults, shard: '*', from: 'end', consumer: 'c1', forceSuccess: false },
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'both checkpoint and from',
      { checkpoint: CURSOR, from: 'begin' },
      /^checkpoint and from cannot both be given/,
    ],
    [
      '"*" with a checkpoint',
      { shard: '*', checkpoint: CURSOR },
      /^shard "\*" needs from: a cursor belongs to one shard$/,
    ],
    ['another word', { from: 'latest' }, /^from must be "begin", "end", unix seconds, or an ISO-8601 time/],
    ['a digit string', { from: '1795420800' }, /^from must be "begin", "end", unix seconds/],
    ['milliseconds', { from: 1_795_420_800_000 }, /^from must be unix seconds, not milliseconds$/],
    ['a fraction of a second', { from: 1.5 }, /^from must be whole unix seconds >= 0$/],
    ['a negative time', { from: -1 }, /^from must be whole unix seconds >= 0$/],
    ['a time without a zone', { from: '2026-11-23T08:00:00' }, /^from must be .*with a zone/],
    ['a date alone', { from: '2026-11-23' }, /^from must be/],
    ['February 30', { from: '2026-02-30T00:00:00Z' }, /^from must be/],
    ['hour 24', { from: '2026-11-23T24:00:00Z' }, /^from must be/],
    ['a leap second', { from: '2016-12-31T23:59:60Z' }, /^from must be/],
    ['before 1970', { from: '1969-12-31T23:59:59Z' }, /^from must not be before 1970$/],
    ['null', { from: null }, /^from must be/],
  ])('refuses %s', (_, extra, message) => {
    expect(errorOf({ shard: 3, ...extra })).toMatch(message);
  });

  it('never echoes a bad from', () => {
    expect(errorOf({ shard: 3, from: 'hunter2-secret' })).not.toContain('hunter2');
  });
});
