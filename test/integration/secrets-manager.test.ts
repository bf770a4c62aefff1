/**
 * The provider against a real Secrets Manager API: moto_server on 127.0.0.1, started by the
 * globalSetup in test/helpers/moto.ts and reset before each test, read through the functions' own
 * client (createSecretsManagerClient: HTTP on undici, AWS credentials from the environment).
 */
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CredentialsError } from '../../src/credentials/errors.ts';
import {
  SecretsManagerCredentialsProvider,
  sharedCredentialsProvider,
} from '../../src/credentials/provider.ts';
import { createSecretsManagerClient } from '../../src/credentials/secrets-client.ts';
import { createHeartbeatHandler } from '../../src/handlers/heartbeat.ts';
import { silentLogger } from '../../src/log.ts';
import type { SlsCredentials } from '../../src/sls/types.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { createManualClock } from '../helpers/clock.ts';
import { heartbeatConfig } from '../helpers/configs.ts';
import { lambdaContext } from '../helpers/factories.ts';
import { motoEndpointOrFail, resetMoto } from '../helpers/moto.ts';
import { startSlsFixture } from '../helpers/sls.ts';

const ONE: SlsCredentials = { accessKeyId: 'LTAI5tAAAAAAAAAAAAAA0001', accessKeySecret: 'secret-one' };
const TWO: SlsCredentials = {
  accessKeyId: 'LTAI5tAAAAAAAAAAAAAA0002',
  accessKeySecret: 'secret-two',
  securityToken: 'token-two',
};

let endpoint: string;
/** Sets the secrets up; the providers read them with `sm`, the functions' own client. */
let admin: SecretsManagerClient;
let sm: SecretsManagerClient;

beforeAll(() => {
  endpoint = motoEndpointOrFail();
  // What a deployed function gets from Lambda and its configuration; the SDK reads these itself.
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
  admin = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  // As in the functions: HTTP on undici, AWS credentials from the environment.
  sm = createSecretsManagerClient();
});

afterAll(() => {
  admin?.destroy();
  sm?.destroy();
  vi.unstubAllEnvs();
});

beforeEach(async () => {
  await resetMoto(endpoint);
});

async function createSecret(name: string, secretString: string): Promise<string> {
  const out = await admin.send(new CreateSecretCommand({ Name: name, SecretString: secretString }));
  if (out.ARN === undefined) throw new Error('moto returned no ARN');
  return out.ARN;
}

/** A manual clock: tests move time, nothing sleeps. */
const clock = (start = 1_000_000) => createManualClock(start);

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, CredentialsError);

describe('Secrets Manager (moto)', () => {
  it('reads the secret through a provider made from the environment alone', async () => {
    await createSecret('sls/from-env', JSON.stringify({ ...ONE, note: 'extra keys are ignored' }));
    // No client, region or endpoint in code: AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER do it.
    const provider = sharedCredentialsProvider({ secretId: 'sls/from-env', ttlMs: 300_000 });
    await expect(provider.get()).resolves.toStrictEqual(ONE);
  });

  it('reads a secret by ARN', async () => {
    const arn = await createSecret('sls/by-arn', JSON.stringify(TWO));
    const provider = new SecretsManagerCredentialsProvider({ secretId: arn, client: sm });
    await expect(provider.get()).resolves.toStrictEqual(TWO);
  });

  it('after a rotation, get() serves the cache within the TTL and refresh() picks up the new value', async () => {
    await createSecret('sls/rotating', JSON.stringify(ONE));
    const time = clock();
    const provider = new SecretsManagerCredentialsProvider({
      secretId: 'sls/rotating',
      client: sm,
      ttlMs: 60_000,
      now: time.now,
    });
    const before = await provider.get();
    expect(before).toStrictEqual(ONE);

    await admin.send(
      new PutSecretValueCommand({ SecretId: 'sls/rotating', SecretString: JSON.stringify(TWO) }),
    );
    time.advance(30_000);
    await expect(provider.get()).resolves.toStrictEqual(ONE); // cached: the rotation is not seen yet

    // SLS rejected ONE: concurrent refreshes share one fetch and all get TWO.
    const refreshed = await Promise.all([provider.refresh(before), provider.refresh(before)]);
    expect(refreshed).toStrictEqual([TWO, TWO]);
    await expect(provider.get()).resolves.toStrictEqual(TWO);
    // A late caller still holding ONE gets TWO from the cache.
    await expect(provider.refresh(before)).resolves.toStrictEqual(TWO);
  });

  it('a rotation is seen by get() once the TTL has passed', async () => {
    await createSecret('sls/ttl', JSON.stringify(ONE));
    const time = clock();
    const provider = new SecretsManagerCredentialsProvider({
      secretId: 'sls/ttl',
      client: sm,
      ttlMs: 60_000,
      now: time.now,
    });
    await provider.get();
    await admin.send(new PutSecretValueCommand({ SecretId: 'sls/ttl', SecretString: JSON.stringify(TWO) }));
    time.advance(60_000);
    await expect(provider.get()).resolves.toStrictEqual(TWO);
  });

  it('a missing secret is SecretNotFound, not retryable, with status and request id', async () => {
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/missing', client: sm });
    const error = await rejection(provider.get());
    expect(error).toMatchObject({ code: 'SecretNotFound', retryable: false, secretId: 'sls/missing' });
    expect(error.message).toContain('"sls/missing"');
    // moto answers 404; AWS answers 400. Either way the status comes from $metadata.
    expect([400, 404]).toContain(error.status);
    expect(error.requestId).toEqual(expect.any(String));
    expect((error.cause as Error).name).toBe('ResourceNotFoundException');
  });

  it('a secret that is not JSON is SecretNotJson', async () => {
    await createSecret('sls/plain', `${ONE.accessKeyId}:${ONE.accessKeySecret}`);
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/plain', client: sm });
    const error = await rejection(provider.get());
    expect(error.code).toBe('SecretNotJson');
    expect(error.message).toMatch(/^secret "sls\/plain" is not JSON/);
    expect(error.message).not.toContain(ONE.accessKeySecret);
  });

  it('a secret missing a field is SecretInvalid naming the field', async () => {
    await createSecret('sls/partial', JSON.stringify({ accessKeyId: ONE.accessKeyId }));
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/partial', client: sm });
    const error = await rejection(provider.get());
    expect(error.code).toBe('SecretInvalid');
    expect(error.message).toBe('secret "sls/partial": field accessKeySecret is missing');
  });

  it('a secret whose accessKeyId ends with a line break is SecretInvalid naming the field, not the value', async () => {
    await createSecret('sls/pasted', JSON.stringify({ ...ONE, accessKeyId: `${ONE.accessKeyId}\n` }));
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/pasted', client: sm });
    const error = await rejection(provider.get());
    expect(error).toMatchObject({ code: 'SecretInvalid', retryable: false });
    expect(error.message).toBe(
      'secret "sls/pasted": field accessKeyId ends with a line break or space (only visible ASCII characters are allowed)',
    );
    expect(JSON.stringify(error)).not.toContain(ONE.accessKeyId);
  });

  it('the heartbeat function fails its invocation before any request when the secret holds such a field', async () => {
    await createSecret(
      'sls/pasted-token',
      JSON.stringify({ ...TWO, securityToken: `${TWO.securityToken}\n` }),
    );
    const sls = await startSlsFixture();
    try {
      const credentials = new SecretsManagerCredentialsProvider({
        secretId: 'sls/pasted-token',
        client: sm,
      });
      const handler = createHeartbeatHandler({
        config: heartbeatConfig({
          endpoint: sls.emulator.url,
          targets: [
            {
              project: 'test-project',
              logstore: 'test-logstore',
              consumerGroup: 'test-group',
              consumer: 'c1',
            },
          ],
        }),
        client: sls.client({ credentials }),
        credentials,
        logger: silentLogger,
        now: sls.clock.now,
        sleep: sls.clock.sleep,
      });
      const error = await rejection(handler({}, lambdaContext(10_000)));
      expect(error).toMatchObject({ code: 'SecretInvalid', secretId: 'sls/pasted-token' });
      expect(error.message).toContain('field securityToken ends with a line break or space');
      expect(sls.emulator.requests).toEqual([]);
    } finally {
      await sls.close();
    }
  });

  it('a binary secret is SecretBinary', async () => {
    await admin.send(
      new CreateSecretCommand({ Name: 'sls/binary', SecretBinary: new TextEncoder().encode('{}') }),
    );
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/binary', client: sm });
    await expect(rejection(provider.get())).resolves.toMatchObject({ code: 'SecretBinary', status: 200 });
  });

  it('a failed read is not cached: fixing the secret fixes the next call', async () => {
    await createSecret('sls/fixed', '{"accessKeyId":"x"}');
    const provider = new SecretsManagerCredentialsProvider({ secretId: 'sls/fixed', client: sm });
    await rejection(provider.get());
    await admin.send(new PutSecretValueCommand({ SecretId: 'sls/fixed', SecretString: JSON.stringify(ONE) }));
    await expect(provider.get()).resolves.toStrictEqual(ONE);
  });
});
