/**
 * The functions' Secrets Manager client takes its AWS credentials from the environment
 * (`createSecretsManagerClient`: `credentials: fromEnv()`), where Lambda puts the role's. Its
 * choice, caching and refresh must be those of the SDK's default chain, which takes the same
 * variables first: both clients run the same sequence here and must sign with the same keys.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CredentialsError } from '../../../src/credentials/errors.ts';
import { SecretsManagerCredentialsProvider } from '../../../src/credentials/provider.ts';
import { createSecretsManagerClient } from '../../../src/credentials/secrets-client.ts';
import { rejectionOf } from '../../helpers/assert.ts';

interface Signed {
  readonly keyId: string | undefined;
  readonly token: string | undefined;
}

/** An HTTP handler that records who signed each request and answers with a secret. */
function recordingHandler(seen: Signed[]) {
  return {
    handle: async (request: { headers: Record<string, string> }) => {
      seen.push({
        keyId: /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1],
        token: request.headers['x-amz-security-token'],
      });
      const body = JSON.stringify({
        Name: 'sls/key',
        SecretString: '{"accessKeyId":"a","accessKeySecret":"b"}',
      });
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req' },
          body: new TextEncoder().encode(body),
        },
      };
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
}

const CLIENTS = {
  'createSecretsManagerClient (environment only)': (handler: ReturnType<typeof recordingHandler>) =>
    createSecretsManagerClient({ region: 'us-east-1', requestHandler: handler }),
  "the SDK's default chain": (handler: ReturnType<typeof recordingHandler>) =>
    new SecretsManagerClient({ region: 'us-east-1', requestHandler: handler }),
};

/** Lambda's variables for a role session. */
function roleSession(n: number, expiration?: Date) {
  vi.stubEnv('AWS_ACCESS_KEY_ID', `ASIAROLESESSION${n}`);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', `secret-${n}`);
  vi.stubEnv('AWS_SESSION_TOKEN', `token-${n}`);
  vi.stubEnv('AWS_CREDENTIAL_EXPIRATION', expiration?.toISOString());
}

/** Two reads with the environment changed in between, as each client signs them. */
async function signers(make: (typeof CLIENTS)[keyof typeof CLIENTS], expiresInMs?: number) {
  const seen: Signed[] = [];
  const client = make(recordingHandler(seen));
  const expiration = (n: number) =>
    expiresInMs === undefined ? undefined : new Date(Date.now() + expiresInMs * n);
  roleSession(1, expiration(1));
  await client.send(new GetSecretValueCommand({ SecretId: 'sls/key' }));
  roleSession(2, expiration(2));
  await client.send(new GetSecretValueCommand({ SecretId: 'sls/key' }));
  return seen;
}

beforeEach(() => {
  vi.stubEnv('AWS_PROFILE', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('AWS credentials of the Secrets Manager client', () => {
  it('as in Lambda (no expiry given): the first session signs for the life of the client, as with the default chain', async () => {
    const [ours, sdk] = [
      await signers(CLIENTS['createSecretsManagerClient (environment only)']),
      await signers(CLIENTS["the SDK's default chain"]),
    ];
    expect(ours).toEqual([
      { keyId: 'ASIAROLESESSION1', token: 'token-1' },
      { keyId: 'ASIAROLESESSION1', token: 'token-1' },
    ]);
    expect(ours).toEqual(sdk);
  });

  it('with AWS_CREDENTIAL_EXPIRATION inside the SDK refresh window: the next read takes the new session, as with the default chain', async () => {
    const twoMinutes = 2 * 60_000;
    const ours = await signers(CLIENTS['createSecretsManagerClient (environment only)'], twoMinutes);
    const sdk = await signers(CLIENTS["the SDK's default chain"], twoMinutes);
    expect(ours).toEqual([
      { keyId: 'ASIAROLESESSION1', token: 'token-1' },
      { keyId: 'ASIAROLESESSION2', token: 'token-2' },
    ]);
    expect(ours).toEqual(sdk);
  });

  it('without credentials in the environment: a CredentialsError naming the secret, not retried, nothing sent', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    const seen: Signed[] = [];
    const provider = new SecretsManagerCredentialsProvider({
      secretId: 'sls/key',
      client: createSecretsManagerClient({ region: 'us-east-1', requestHandler: recordingHandler(seen) }),
    });
    const error = await rejectionOf(provider.get(), CredentialsError);
    expect(error).toMatchObject({ code: 'SecretsManagerError', secretId: 'sls/key', retryable: false });
    expect(error.message).toBe(
      'reading secret "sls/key" from Secrets Manager failed (CredentialsProviderError)',
    );
    expect(seen).toEqual([]);
  });
});
