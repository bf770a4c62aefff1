/**
 * The Secrets Manager client's HTTP handler on undici (src/credentials/request-handler.ts),
 * driven by the real SDK against moto_server behind a proxy that misbehaves on cue: keep-alive,
 * time limits per attempt, what the SDK retries (and what it must not), and how each ends up as
 * a CredentialsError. The moto suites (secrets-manager, fault-suite) read through it too.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CredentialsError } from '../../src/credentials/errors.ts';
import { SecretsManagerCredentialsProvider } from '../../src/credentials/provider.ts';
import { sdkErrorOf, undiciRequestHandler } from '../../src/credentials/request-handler.ts';
import { createSecretsManagerClient } from '../../src/credentials/secrets-client.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { type FaultyProxy, startFaultyProxy } from '../helpers/faulty-proxy.ts';
import { motoEndpointOrFail, resetMoto } from '../helpers/moto.ts';

const KEY = { accessKeyId: 'LTAI5tHANDLER0000000001', accessKeySecret: 'handler-secret' };
const SECRET_ID = 'sls/handler';
/** Short limits, so a test of the time limits takes a second, not fifteen. */
const REQUEST_TIMEOUT_MS = 250;

let moto: string;
let proxy: FaultyProxy;

beforeAll(() => {
  moto = motoEndpointOrFail();
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAHANDLERTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_SESSION_TOKEN', 'handler-session');
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_MAX_ATTEMPTS', undefined);
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(async () => {
  await resetMoto(moto);
  const admin = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await admin.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: JSON.stringify(KEY) }));
  admin.destroy();
  proxy = await startFaultyProxy(moto);
});

afterEach(async () => {
  await proxy.close();
});

/** The functions' client (credentials from the environment), through the proxy, short limits. */
function client(endpoint = proxy.url, maxResponseBytes?: number): SecretsManagerClient {
  return createSecretsManagerClient({
    endpoint,
    requestHandler: undiciRequestHandler({
      connectionTimeoutMs: REQUEST_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      maxResponseBytes,
    }),
  });
}

const provider = (sm: SecretsManagerClient) =>
  new SecretsManagerCredentialsProvider({ secretId: SECRET_ID, client: sm, ttlMs: 0 });

describe('the undici HTTP handler under the Secrets Manager client', () => {
  it('reads the secret, and warm reads reuse kept-alive connections', async () => {
    const sm = client();
    for (let i = 0; i < 6; i++) await expect(provider(sm).get()).resolves.toStrictEqual(KEY);
    expect(proxy.requests).toBe(6);
    // undici (as through its own entry point) opens a second socket for the second request, then reuses both.
    expect(proxy.connections).toBeLessThanOrEqual(2);
    sm.destroy();
  });

  it('answers the SDK with what it needs: status, request id, a modelled error', async () => {
    const output = await client().send(new GetSecretValueCommand({ SecretId: SECRET_ID }));
    expect(output.$metadata).toMatchObject({
      httpStatusCode: 200,
      requestId: expect.any(String),
      attempts: 1,
    });
    const error = await rejectionOf(
      new SecretsManagerCredentialsProvider({ secretId: 'sls/none', client: client() }).get(),
      CredentialsError,
    );
    expect(error).toMatchObject({ code: 'SecretNotFound', retryable: false });
    expect((error.cause as Error).name).toBe('ResourceNotFoundException');
  });

  it('a reply that never comes: every attempt ends at its time limit, the SDK makes 3, then it is Unavailable', async () => {
    proxy.script('stall', 'stall', 'stall');
    const started = performance.now();
    const error = await rejectionOf(provider(client()).get(), CredentialsError);
    const elapsed = performance.now() - started;
    expect(proxy.requests).toBe(3);
    expect(error).toMatchObject({ code: 'SecretsManagerUnavailable', retryable: true });
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(elapsed).toBeGreaterThanOrEqual(3 * REQUEST_TIMEOUT_MS);
    // The SDK's backoff between attempts is short; nothing waits for a socket's default timeout.
    expect(elapsed).toBeLessThan(3 * REQUEST_TIMEOUT_MS + 2_000);
  });

  it('a connection dropped before the reply is retried, like a reset socket', async () => {
    proxy.script('drop', 'drop');
    await expect(provider(client()).get()).resolves.toStrictEqual(KEY);
    expect(proxy.requests).toBe(3);
  });

  it('5xx replies and a stall are retried', async () => {
    proxy.script(503, 'stall');
    const output = await client().send(new GetSecretValueCommand({ SecretId: SECRET_ID }));
    expect(output.SecretString).toBe(JSON.stringify(KEY));
    expect(output.$metadata.attempts).toBe(3);
  });

  it('nothing listening: ECONNREFUSED on each attempt, then Unavailable', async () => {
    const closed = await startFaultyProxy(moto);
    await closed.close();
    const error = await rejectionOf(provider(client(closed.url)).get(), CredentialsError);
    expect(error).toMatchObject({ code: 'SecretsManagerUnavailable', retryable: true });
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it("the caller's abort ends the read at once and is not retried", async () => {
    proxy.script('stall', 'stall', 'stall');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const error = await client()
      .send(new GetSecretValueCommand({ SecretId: SECRET_ID }), { abortSignal: abort.signal })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.name).toBe('AbortError');
    expect(proxy.requests).toBe(1);
  });

  it('a reply over the size limit is refused and not retried', async () => {
    proxy.script('huge');
    const error = await rejectionOf(provider(client(proxy.url, 16 * 1024)).get(), CredentialsError);
    expect(error).toMatchObject({ code: 'SecretsManagerError', retryable: false });
    expect(proxy.requests).toBe(1);
  });
});

describe('sdkErrorOf', () => {
  const limits = { connectionTimeout: 3_000, requestTimeout: 5_000 };
  const undiciError = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'TimeoutError', undefined, /not connected within 3000 ms/],
    ['UND_ERR_HEADERS_TIMEOUT', 'TimeoutError', undefined, /not answered within 5000 ms/],
    ['UND_ERR_BODY_TIMEOUT', 'TimeoutError', undefined, /not answered within 5000 ms/],
    ['UND_ERR_SOCKET', 'Error', 'ECONNRESET', /closed before the reply was complete/],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'Error', 'ECONNRESET', /closed before the reply/],
  ])('%s becomes %s %s (what the SDK retries)', (code, name, newCode, message) => {
    const mapped = sdkErrorOf(undiciError(code), limits) as Error & { code?: string };
    expect(mapped.name).toBe(name);
    expect(mapped.code).toBe(newCode);
    expect(mapped.message).toMatch(message);
    expect((mapped.cause as { code: string }).code).toBe(code);
  });

  it("keeps Node's socket and DNS errors as they are", () => {
    const refused = undiciError('ECONNREFUSED');
    expect(sdkErrorOf(refused, limits)).toBe(refused);
    const other = new Error('no code');
    expect(sdkErrorOf(other, limits)).toBe(other);
  });
});
