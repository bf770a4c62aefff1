import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../src/credentials/errors.ts';
import {
  DEFAULT_TTL_MS,
  REFRESH_QUIET_MS,
  SecretsManagerCredentialsProvider,
} from '../../../src/credentials/provider.ts';
import type { LogLevel } from '../../../src/log.ts';
import { createLogger } from '../../../src/log.ts';
import type { SlsCredentials } from '../../../src/sls/types.ts';
import { createManualClock } from '../../helpers/clock.ts';

const SECRET_ID = 'sls/consumer';
const ONE = {
  accessKeyId: 'LTAI5tAAAAAAAAAAAAAA0001',
  accessKeySecret: 'secret-one',
} satisfies SlsCredentials;
const TWO = {
  accessKeyId: 'LTAI5tAAAAAAAAAAAAAA0002',
  accessKeySecret: 'secret-two',
} satisfies SlsCredentials;

const reply = (creds: SlsCredentials) => ({ SecretString: JSON.stringify(creds) });

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A manual clock: tests move time, nothing sleeps. */
const clock = (start = 1_000_000) => createManualClock(start);

function capturingLogger() {
  const lines: { level: LogLevel; record: Record<string, unknown> }[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (level, line) => lines.push({ level, record: JSON.parse(line) as Record<string, unknown> }),
  });
  return { logger, lines };
}

const client = new SecretsManagerClient({ region: 'us-east-1' });
const sm = mockClient(client);

beforeEach(() => {
  sm.reset();
});

function provider(options: { ttlMs?: number; now?: () => number } = {}) {
  return new SecretsManagerCredentialsProvider({ secretId: SECRET_ID, client, ...options });
}

describe('get()', () => {
  it('fetches GetSecretValue with the SecretId and parses SecretString', async () => {
    sm.on(GetSecretValueCommand).resolves(reply(ONE));
    await expect(provider().get()).resolves.toEqual(ONE);
    expect(sm).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: SECRET_ID });
  });

  it('serves the cache while younger than the TTL and fetches again after it', async () => {
    const time = clock();
    sm.on(GetSecretValueCommand).resolvesOnce(reply(ONE)).resolves(reply(TWO));
    const p = provider({ ttlMs: 60_000, now: time.now });

    expect(await p.get()).toEqual(ONE);
    time.advance(59_999);
    expect(await p.get()).toEqual(ONE);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);

    time.advance(1);
    expect(await p.get()).toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('defaults the TTL to 5 minutes', async () => {
    const time = clock();
    sm.on(GetSecretValueCommand).resolves(reply(ONE));
    const p = provider({ now: time.now });
    expect(p.ttlMs).toBe(DEFAULT_TTL_MS);
    expect(DEFAULT_TTL_MS).toBe(300_000);
    await p.get();
    time.advance(299_999);
    await p.get();
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    time.advance(1);
    await p.get();
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('fetches on every call with a TTL of 0', async () => {
    sm.on(GetSecretValueCommand).resolves(reply(ONE));
    const p = provider({ ttlMs: 0 });
    await p.get();
    await p.get();
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('shares one in-flight fetch among concurrent callers', async () => {
    const pending = deferred<ReturnType<typeof reply>>();
    sm.on(GetSecretValueCommand).callsFake(() => pending.promise);
    const p = provider();

    const calls = Array.from({ length: 10 }, () => p.get());
    pending.resolve(reply(ONE));
    const results = await Promise.all(calls);

    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    for (const result of results) expect(result).toEqual(ONE);
  });

  it('shares a failure among concurrent callers and does not cache it', async () => {
    const pending = deferred<ReturnType<typeof reply>>();
    sm.on(GetSecretValueCommand)
      .callsFakeOnce(() => pending.promise)
      .resolves(reply(ONE));
    const p = provider();

    const calls = Array.from({ length: 5 }, () => p.get());
    pending.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }));
    const results = await Promise.allSettled(calls);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);

    // The next call retries at once: no negative caching.
    await expect(p.get()).resolves.toEqual(ONE);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('does not cache an invalid secret either', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: '{"accessKeyId":"x"}' }).resolves(reply(ONE));
    const p = provider();
    await expect(p.get()).rejects.toMatchObject({ code: 'SecretInvalid' });
    await expect(p.get()).resolves.toEqual(ONE);
  });

  it('keeps serving the cache when it is fresh even after a failed forced refresh', async () => {
    const time = clock();
    sm.on(GetSecretValueCommand)
      .resolvesOnce(reply(ONE))
      .rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const p = provider({ now: time.now });
    await p.get();
    await expect(p.refresh(ONE)).rejects.toMatchObject({ code: 'SecretsManagerUnavailable' });
    await expect(p.get()).resolves.toEqual(ONE);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('keeps a security token and drops an empty one', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce(reply({ ...ONE, securityToken: 'sts-token' }))
      .resolves(reply({ ...ONE, securityToken: '' }));
    const p = provider({ ttlMs: 0 });
    await expect(p.get()).resolves.toEqual({ ...ONE, securityToken: 'sts-token' });
    await expect(p.get()).resolves.toStrictEqual(ONE);
  });
});

describe('refresh(rejected)', () => {
  it('fetches bypassing a fresh cache and caches the new value', async () => {
    const time = clock();
    sm.on(GetSecretValueCommand).resolvesOnce(reply(ONE)).resolves(reply(TWO));
    const p = provider({ ttlMs: 60_000, now: time.now });

    const first = await p.get();
    expect(await p.refresh(first)).toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(await p.get()).toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('returns the cache without fetching when it already moved past the rejected credentials', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce(reply(ONE)).resolves(reply(TWO));
    const p = provider();
    const stale = await p.get();
    await p.refresh(stale); // someone else noticed the rotation first
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);

    expect(await p.refresh(stale)).toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('does not refetch for every rejection of a key the secret still holds', async () => {
    const time = clock();
    sm.on(GetSecretValueCommand).resolves(reply(ONE));
    const p = provider({ ttlMs: 60_000, now: time.now });
    const key = await p.get();
    expect(await p.refresh(key)).toEqual(ONE); // fetched: unchanged, so SLS rejects it for good
    for (let i = 0; i < 20; i++) expect(await p.refresh(key)).toEqual(ONE);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    time.advance(REFRESH_QUIET_MS);
    await p.refresh(key); // after the quiet time it looks again, in case the secret was rotated
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('treats a different token as different credentials', async () => {
    sm.on(GetSecretValueCommand).resolves(reply({ ...ONE, securityToken: 'new-token' }));
    const p = provider();
    await p.get();
    await expect(p.refresh({ ...ONE, securityToken: 'old-token' })).resolves.toEqual({
      ...ONE,
      securityToken: 'new-token',
    });
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('coalesces concurrent refreshes of the same rejected credentials into one fetch', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce(reply(ONE));
    const p = provider();
    const rejected = await p.get();

    const pending = deferred<ReturnType<typeof reply>>();
    sm.on(GetSecretValueCommand).callsFake(() => pending.promise);
    const refreshes = Array.from({ length: 10 }, () => p.refresh({ ...rejected }));
    const gets = Array.from({ length: 3 }, () => p.get()); // fresh cache: served without waiting
    pending.resolve(reply(TWO));

    for (const result of await Promise.all(refreshes)) expect(result).toEqual(TWO);
    for (const result of await Promise.all(gets)) expect(result).toEqual(ONE);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('lets get() join a running refresh once the cache has expired', async () => {
    const time = clock();
    sm.on(GetSecretValueCommand).resolvesOnce(reply(ONE));
    const p = provider({ ttlMs: 1_000, now: time.now });
    const rejected = await p.get();
    time.advance(1_000);

    const pending = deferred<ReturnType<typeof reply>>();
    sm.on(GetSecretValueCommand).callsFake(() => pending.promise);
    const refresh = p.refresh(rejected);
    const get = p.get();
    pending.resolve(reply(TWO));
    expect(await refresh).toEqual(TWO);
    expect(await get).toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('does not join a get() fetch that was already running (it may predate the rotation)', async () => {
    const time = clock();
    const slowOld = deferred<ReturnType<typeof reply>>();
    const fresh = deferred<ReturnType<typeof reply>>();
    sm.on(GetSecretValueCommand)
      .resolvesOnce(reply(ONE))
      .callsFakeOnce(() => slowOld.promise)
      .callsFakeOnce(() => fresh.promise);
    const p = provider({ ttlMs: 1_000, now: time.now });
    const rejected = await p.get();
    time.advance(1_000);

    const get = p.get(); // TTL expired: starts fetch #2
    const refresh = p.refresh(rejected); // must start fetch #3
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);

    fresh.resolve(reply(TWO));
    expect(await refresh).toEqual(TWO);
    slowOld.resolve(reply(ONE)); // finishes last with the old value
    expect(await get).toEqual(ONE);

    // The older fetch did not overwrite the newer value.
    expect(await p.get()).toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('fetches when nothing is cached yet', async () => {
    sm.on(GetSecretValueCommand).resolves(reply(TWO));
    await expect(provider().refresh(ONE)).resolves.toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('returns the same credentials when the secret was not rotated (the caller then gives up)', async () => {
    sm.on(GetSecretValueCommand).resolves(reply(ONE));
    const p = provider();
    const rejected = await p.get();
    await expect(p.refresh(rejected)).resolves.toEqual(ONE);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('a failed refresh is retried by the next refresh', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce(reply(ONE))
      .rejectsOnce(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
      .resolves(reply(TWO));
    const p = provider();
    const rejected = await p.get();
    await expect(p.refresh(rejected)).rejects.toBeInstanceOf(CredentialsError);
    await expect(p.refresh(rejected)).resolves.toEqual(TWO);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });
});

describe('logging', () => {
  it('logs one credentials.refreshed line with the masked key id and whether it changed', async () => {
    const { logger, lines } = capturingLogger();
    sm.on(GetSecretValueCommand).resolvesOnce(reply(ONE)).resolvesOnce(reply(TWO)).resolves(reply(TWO));
    const p = new SecretsManagerCredentialsProvider({ secretId: SECRET_ID, client, logger });

    await p.get();
    await p.refresh(ONE);
    await p.refresh(TWO);

    const refreshed = lines.filter((l) => l.record.event === 'credentials.refreshed');
    expect(refreshed).toHaveLength(2);
    expect(refreshed[0]?.level).toBe('info');
    expect(refreshed[0]?.record).toMatchObject({ source: SECRET_ID, accessKeyId: '****0002', changed: true });
    expect(refreshed[1]?.record).toMatchObject({ accessKeyId: '****0002', changed: false });

    const loaded = lines.filter((l) => l.record.event === 'credentials.loaded');
    expect(loaded).toHaveLength(1);
    expect(loaded[0]?.level).toBe('debug');
    expect(loaded[0]?.record).toMatchObject({ accessKeyId: '****0001', changed: true });

    const text = lines.map((l) => JSON.stringify(l.record)).join('\n');
    expect(text).not.toContain(ONE.accessKeyId);
    expect(text).not.toContain(ONE.accessKeySecret);
    expect(text).not.toContain(TWO.accessKeySecret);
  });

  it('logs a failed fetch with its code, once per fetch', async () => {
    const { logger, lines } = capturingLogger();
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
    const p = new SecretsManagerCredentialsProvider({ secretId: SECRET_ID, client, logger });
    await Promise.allSettled([p.get(), p.get()]);
    const failed = lines.filter((l) => l.record.event === 'credentials.fetch_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.record).toMatchObject({ code: 'SecretsManagerUnavailable', retryable: true });
  });
});

describe('constructor', () => {
  it('rejects an empty secret id and a bad TTL', () => {
    expect(() => new SecretsManagerCredentialsProvider({ secretId: ' ' })).toThrow(/secretId/);
    expect(() => new SecretsManagerCredentialsProvider({ secretId: 'x', ttlMs: -1 })).toThrow(/ttlMs/);
    expect(() => new SecretsManagerCredentialsProvider({ secretId: 'x', ttlMs: Number.NaN })).toThrow(
      /ttlMs/,
    );
  });
});
