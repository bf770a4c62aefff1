import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { CredentialsError } from '../../../src/credentials/errors.ts';
import type { SlsCredentialsContext } from '../../../src/credentials/middleware.ts';
import { slsCredentials } from '../../../src/credentials/middleware.ts';
import type { CredentialsProvider, SlsCredentials } from '../../../src/sls/types.ts';

const CREDS: SlsCredentials = { accessKeyId: 'LTAI5tAAAAAAAAAAAAAA0001', accessKeySecret: 's' };

function fakeProvider(get: () => Promise<SlsCredentials>): CredentialsProvider {
  return { get: vi.fn(get), refresh: vi.fn(async () => CREDS) };
}

/** What Lambda passes; the middleware adds `slsCredentials` (the handler's type already promises it). */
const context = () => ({ functionName: 'fn' }) as Context as Context & SlsCredentialsContext;

describe('slsCredentials middleware', () => {
  it('loads the credentials before the handler and puts the provider on the context', async () => {
    const provider = fakeProvider(async () => CREDS);
    const seen: CredentialsProvider[] = [];
    const handler = middy()
      .use(slsCredentials({ provider }))
      .handler(async (_event, ctx) => {
        seen.push(ctx.slsCredentials);
        expect(provider.get).toHaveBeenCalledTimes(1);
        return (await ctx.slsCredentials.get()).accessKeyId;
      });

    await expect(handler({}, context())).resolves.toBe(CREDS.accessKeyId);
    expect(seen).toEqual([provider]);
    expect(provider.refresh).not.toHaveBeenCalled();
  });

  it('fails the invocation early with the CredentialsError, without running the handler', async () => {
    const failure = new CredentialsError('secret "x": field accessKeySecret is missing', {
      code: 'SecretInvalid',
      secretId: 'x',
      retryable: false,
    });
    const provider = fakeProvider(async () => {
      throw failure;
    });
    const body = vi.fn(async () => 'ran');
    const handler = middy().use(slsCredentials({ provider })).handler(body);

    await expect(handler({}, context())).rejects.toBe(failure);
    expect(body).not.toHaveBeenCalled();
  });

  it('asks the provider on every invocation (the provider decides whether to fetch)', async () => {
    const provider = fakeProvider(async () => CREDS);
    const handler = middy()
      .use(slsCredentials({ provider }))
      .handler(async () => 'ok');
    await handler({}, context());
    await handler({}, context());
    expect(provider.get).toHaveBeenCalledTimes(2);
  });

  it('rejects unknown options and a missing provider', () => {
    const provider = fakeProvider(async () => CREDS);
    expect(() => slsCredentials({ provider, ttl: 5 } as never)).toThrow(/unknown option\(s\) ttl/);
    expect(() => slsCredentials({} as never)).toThrow(/provider must be a CredentialsProvider/);
    expect(() => slsCredentials({ provider: { get: async () => CREDS } } as never)).toThrow(
      /provider must be a CredentialsProvider/,
    );
  });

  it('names itself for middy plugins', () => {
    expect(slsCredentials({ provider: fakeProvider(async () => CREDS) }).name).toBe('slsCredentials');
  });
});
