import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  credentialsProviderFromEnv,
  defaultSecretsManagerClient,
} from '../../../src/credentials/provider.ts';

// Mocks every SecretsManagerClient, including the lazily made process-wide one.
const sm = mockClient(SecretsManagerClient);
beforeEach(() => {
  sm.reset();
});

const secret = JSON.stringify({ accessKeyId: 'LTAI5tAAAAAAAAAAAAAA0001', accessKeySecret: 'secret-one' });

describe('credentialsProviderFromEnv', () => {
  it('requires SLS_CREDENTIALS_SECRET_ID and names it', () => {
    expect(() => credentialsProviderFromEnv({})).toThrow(/SLS_CREDENTIALS_SECRET_ID is not set/);
    expect(() => credentialsProviderFromEnv({ SLS_CREDENTIALS_SECRET_ID: '  ' })).toThrow(
      /SLS_CREDENTIALS_SECRET_ID is not set/,
    );
  });

  it.each(['-1', '3601', '1.5', 'abc', '5m', '1e3', '0x10', '10000'])(
    'rejects SLS_CREDENTIALS_TTL_SECONDS=%s',
    (ttl) => {
      expect(() =>
        credentialsProviderFromEnv({ SLS_CREDENTIALS_SECRET_ID: 'a', SLS_CREDENTIALS_TTL_SECONDS: ttl }),
      ).toThrow(/SLS_CREDENTIALS_TTL_SECONDS must be an integer from 0 to 3600/);
    },
  );

  it('defaults the TTL to 300 s and accepts 0..3600', () => {
    expect(credentialsProviderFromEnv({ SLS_CREDENTIALS_SECRET_ID: 'env/default' }).ttlMs).toBe(300_000);
    expect(
      credentialsProviderFromEnv({
        SLS_CREDENTIALS_SECRET_ID: 'env/default',
        SLS_CREDENTIALS_TTL_SECONDS: '',
      }).ttlMs,
    ).toBe(300_000);
    for (const [raw, ms] of [
      ['0', 0],
      ['3600', 3_600_000],
      [' 60 ', 60_000],
    ] as const) {
      const p = credentialsProviderFromEnv({
        SLS_CREDENTIALS_SECRET_ID: 'env/ttl',
        SLS_CREDENTIALS_TTL_SECONDS: raw,
      });
      expect(p.ttlMs).toBe(ms);
      expect(p.secretId).toBe('env/ttl');
    }
  });

  it('returns the same provider for the same secret id and TTL, so warm invocations reuse its cache', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const env = { SLS_CREDENTIALS_SECRET_ID: 'env/reuse', SLS_CREDENTIALS_TTL_SECONDS: '120' };
    const a = credentialsProviderFromEnv(env);
    expect(credentialsProviderFromEnv({ ...env })).toBe(a);
    expect(credentialsProviderFromEnv({ ...env, SLS_CREDENTIALS_TTL_SECONDS: '121' })).not.toBe(a);
    expect(credentialsProviderFromEnv({ ...env, SLS_CREDENTIALS_SECRET_ID: 'env/other' })).not.toBe(a);

    await a.get();
    await credentialsProviderFromEnv(env).get();
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'env/reuse' });
  });

  it('reads process.env by default', () => {
    const saved = process.env.SLS_CREDENTIALS_SECRET_ID;
    process.env.SLS_CREDENTIALS_SECRET_ID = 'env/process';
    try {
      expect(credentialsProviderFromEnv().secretId).toBe('env/process');
    } finally {
      if (saved === undefined) delete process.env.SLS_CREDENTIALS_SECRET_ID;
      else process.env.SLS_CREDENTIALS_SECRET_ID = saved;
    }
  });

  it('uses one process-wide client', () => {
    expect(defaultSecretsManagerClient()).toBe(defaultSecretsManagerClient());
  });
});
