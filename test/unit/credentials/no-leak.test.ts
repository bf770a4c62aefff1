/**
 * The secret's values must never leave the provider except as the returned credentials: not in
 * an error's message, JSON, string form, inspection or cause, and not in any log line.
 */
import { inspect } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../src/credentials/errors.ts';
import type { SlsCredentialsContext } from '../../../src/credentials/middleware.ts';
import { slsCredentials } from '../../../src/credentials/middleware.ts';
import { SecretsManagerCredentialsProvider } from '../../../src/credentials/provider.ts';
import { createLogger } from '../../../src/log.ts';
import { rejectionOf } from '../../helpers/assert.ts';

const SECRET = 'SECRETVALUE-q8Zr1';
const TOKEN = 'STSTOKEN-x4Pk7';
const KEY_ID = 'LTAI5tKEYIDMARKER0000abcd';
/** Prefixes too: JSON.parse's SyntaxError quotes only about 10 characters of its input. */
const MARKERS = [SECRET, TOKEN, KEY_ID, 'SECRETVAL', 'STSTOK', 'KEYIDMARK'];

function capturingLogger() {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', write: (_, line) => lines.push(line) }), lines };
}

/** Every way an error is commonly turned into text. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    e.message,
    String(e),
    e.stack ?? '',
    JSON.stringify(e),
    String(e.cause),
    JSON.stringify(e.cause) ?? '',
    inspect(e, { depth: 10 }),
    inspect(e.cause, { depth: 10 }),
  ];
}

function expectClean(texts: readonly string[]) {
  for (const text of texts) for (const marker of MARKERS) expect(text).not.toContain(marker);
}

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, CredentialsError);

describe('with a stubbed client', () => {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  const sm = mockClient(client);
  beforeEach(() => {
    sm.reset();
  });

  const bad = {
    'not JSON': `${SECRET}:${TOKEN}:${KEY_ID}`,
    'JSON.parse would quote it': `{"accessKeyId": ${KEY_ID}, "accessKeySecret": "${SECRET}"}`,
    'trailing comma': `{"accessKeyId":"${KEY_ID}","accessKeySecret":"${SECRET}","securityToken":"${TOKEN}",}`,
    'secret missing': `{"accessKeyId":"${KEY_ID}","securityToken":"${TOKEN}"}`,
    'key id missing': `{"accessKeySecret":"${SECRET}","securityToken":"${TOKEN}"}`,
    'token not a string': `{"accessKeyId":"${KEY_ID}","accessKeySecret":"${SECRET}","securityToken":{"t":"${TOKEN}"}}`,
    'array of values': `["${KEY_ID}","${SECRET}","${TOKEN}"]`,
    'a JSON string': JSON.stringify(`${KEY_ID}:${SECRET}`),
  };

  it.each(Object.entries(bad))('%s: errors and logs carry no value', async (_, secretString) => {
    const { logger, lines } = capturingLogger();
    sm.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/leak', client, logger });

    const fromGet = await rejection(provider.get());
    const fromRefresh = await rejection(
      provider.refresh({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN }),
    );
    logger.error('handler.failed', { error: fromGet }); // what a handler would do with it
    expectClean([...renderings(fromGet), ...renderings(fromRefresh), ...lines]);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('a successful load and refresh log no value, only the masked key id', async () => {
    const { logger, lines } = capturingLogger();
    const value = JSON.stringify({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN });
    sm.on(GetSecretValueCommand).resolves({ SecretString: value });
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/leak', client, logger });

    const creds = await provider.get();
    expect(creds).toEqual({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN });
    await provider.refresh(creds);
    expect(lines.join('\n')).toContain('****abcd');
    expectClean(lines);
  });

  it('the middleware fails the invocation with the same clean error', async () => {
    sm.on(GetSecretValueCommand).resolves({
      SecretString: `{"accessKeyId":"${KEY_ID}","accessKeySecret":""}`,
    });
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/leak', client });
    const handler = middy()
      .use(slsCredentials({ provider }))
      .handler(async () => 'ok');
    const error = await rejection(handler({}, {} as Context & SlsCredentialsContext));
    expect(error.message).toMatch(/field accessKeySecret must be a non-empty string/);
    expectClean(renderings(error));
  });
});

describe('with the real SDK deserializer', () => {
  /** A client whose HTTP layer answers every request with `body` (no network). */
  function clientAnswering(statusCode: number, body: string) {
    return new SecretsManagerClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: {
        handle: async () => ({
          response: {
            statusCode,
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' },
            body: new TextEncoder().encode(body),
          },
        }),
      } as unknown as NonNullable<ConstructorParameters<typeof SecretsManagerClient>[0]>['requestHandler'],
    });
  }

  it('a garbled 200 reply: the SDK error quotes the body, ours does not', async () => {
    const body = `{"Name":"sls/leak","SecretString": ${SECRET}}`;

    // The hazard this guards against: the SDK's own error message quotes the reply.
    const raw = await clientAnswering(200, body)
      .send(new GetSecretValueCommand({ SecretId: 'sls/leak' }))
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(raw?.name).toBe('SyntaxError');
    expect(raw?.message).toContain('SECRETVAL');

    const { logger, lines } = capturingLogger();
    const provider = new SecretsManagerCredentialsProvider({
      secretId: 'sls/leak',
      client: clientAnswering(200, body),
      logger,
    });
    const error = await rejection(provider.get());
    expect(error).toMatchObject({
      code: 'SecretsManagerError',
      retryable: true,
      status: 200,
      requestId: 'req-1',
    });
    logger.error('handler.failed', { error });
    expectClean([...renderings(error), ...lines]);
  });

  it('a well-formed reply with a non-JSON SecretString', async () => {
    const body = JSON.stringify({ Name: 'sls/leak', SecretString: `${KEY_ID} ${SECRET} ${TOKEN}` });
    const provider = new SecretsManagerCredentialsProvider({
      secretId: 'sls/leak',
      client: clientAnswering(200, body),
    });
    const error = await rejection(provider.get());
    expect(error.code).toBe('SecretNotJson');
    expectClean(renderings(error));
  });

  it('an error reply keeps the SDK exception as cause, which holds no value', async () => {
    const body = JSON.stringify({
      __type: 'AccessDeniedException',
      message: 'not authorized to read sls/leak',
    });
    const provider = new SecretsManagerCredentialsProvider({
      secretId: 'sls/leak',
      client: clientAnswering(400, body),
    });
    const error = await rejection(provider.get());
    expect(error).toMatchObject({ code: 'SecretAccessDenied', status: 400, requestId: 'req-1' });
    expect((error.cause as Error).name).toBe('AccessDeniedException');
    expectClean(renderings(error));
  });
});
