import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultSecretsManagerClient, sharedCredentialsProvider } from '../../../src/credentials/provider.ts';

// Mocks every SecretsManagerClient, including the lazily made process-wide one.
const sm = mockClient(SecretsManagerClient);
beforeEach(() => {
  sm.reset();
});

const secret = JSON.stringify({ accessKeyId: 'LTAI5tAAAAAAAAAAAAAA0001', accessKeySecret: 'secret-one' });

describe('sharedCredentialsProvider', () => {
  it('returns the same provider for the same secret id and TTL, so warm invocations reuse its cache', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const options = { secretId: 'shared/reuse', ttlMs: 120_000 };
    const a = sharedCredentialsProvider(options);
    expect(sharedCredentialsProvider({ ...options })).toBe(a);
    expect(sharedCredentialsProvider({ ...options, ttlMs: 121_000 })).not.toBe(a);
    expect(sharedCredentialsProvider({ ...options, secretId: 'shared/other' })).not.toBe(a);

    await a.get();
    await sharedCredentialsProvider(options).get();
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'shared/reuse' });
  });

  it('keeps the TTL it was made with', () => {
    expect(sharedCredentialsProvider({ secretId: 'shared/ttl', ttlMs: 0 }).ttlMs).toBe(0);
  });

  it('uses one process-wide client', () => {
    expect(defaultSecretsManagerClient()).toBe(defaultSecretsManagerClient());
  });
});
