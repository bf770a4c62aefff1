/**
 * What a cold invocation talks to, on 127.0.0.1: moto_server (Secrets Manager, holding the SLS
 * key) and the SLS emulator (a logstore of 64 shards and a consumer group), and the Lambda-like
 * environment a bundle runs in. Shared by the cold-start and peer benchmarks and by
 * test/build/bundles.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startMotoServer } from '../scripts/local/moto.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { SlsEmulator } from '../src/emulator/types.ts';

export const PROJECT = 'bench-project';
export const LOGSTORE = 'bench-logstore';
export const GROUP = 'bench-group';
export const CONSUMER = 'bench-consumer';
export const SHARDS = 64;
export const SECRET_ID = 'slscheckpoint/bench';
const KEY = { accessKeyId: 'LTAIcoldstart', accessKeySecret: 'cold-start-secret' };

export interface ColdServices {
  readonly emulator: SlsEmulator;
  readonly motoEndpoint: string;
  /** The environment of a function on these services: what Lambda and serverless.yml set. */
  readonly env: NodeJS.ProcessEnv;
  /** Writes an event to a JSON file and returns its path. */
  eventFile(name: string, event: unknown): string;
  close(): Promise<void>;
}

/** Starts moto_server and the emulator, stores the key as the functions' secret. */
export async function startColdServices(): Promise<ColdServices> {
  const moto = await startMotoServer();
  const emulator = await startEmulator({ keys: [KEY] });
  const dir = mkdtempSync(join(tmpdir(), 'slscheckpoint-cold-'));
  try {
    emulator.createLogstore(PROJECT, LOGSTORE, SHARDS);
    emulator.createConsumerGroup(PROJECT, LOGSTORE, GROUP, { timeoutSeconds: 60 });
    const admin = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
    });
    await admin.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: JSON.stringify(KEY) }));
    admin.destroy();
  } catch (error) {
    await Promise.all([moto.stop(), emulator.close()]);
    throw error;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // No ~/.aws of this machine: Lambda has none either.
    HOME: dir,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIACOLDSTART',
    AWS_SECRET_ACCESS_KEY: 'cold-start',
    AWS_SESSION_TOKEN: 'cold-start-session',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    SLS_ENDPOINT: emulator.url,
    SLS_PROJECT: PROJECT,
    SLS_LOGSTORE: LOGSTORE,
    SLS_CONSUMER_GROUP: GROUP,
    SLS_CONSUMER: CONSUMER,
    SLS_CREDENTIALS_SECRET_ID: SECRET_ID,
  };
  return {
    emulator,
    motoEndpoint: moto.endpoint,
    env,
    eventFile(name, event) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    },
    async close() {
      await Promise.all([moto.stop(), emulator.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An SQS event of `records` checkpoint commands over the shards, each shard's cursors rising. */
export function checkpointBatch(records: number): unknown {
  return {
    Records: Array.from({ length: records }, (_, i) => ({
      messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      receiptHandle: `AQEB${'x'.repeat(100)}${i}`,
      body: JSON.stringify({
        shard: i % SHARDS,
        checkpoint: Buffer.from(String(1_763_884_800_000_000_000n + BigInt(i))).toString('base64'),
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1763884800000',
        SenderId: 'AROAEXAMPLE:producer',
        ApproximateFirstReceiveTimestamp: '1763884800001',
      },
      messageAttributes: {},
      md5OfBody: '0'.repeat(32),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:slscheckpoint-prod-checkpoint',
      awsRegion: 'us-east-1',
    })),
  };
}
