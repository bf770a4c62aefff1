/**
 * The fault and bad-input suite: one run of the real handlers against the emulator (SLS) and
 * moto_server (Secrets Manager, behind a throttling proxy), through 5xx storms, dropped
 * connections, slow replies, a rotated key, an expired consumer, clock skew, Secrets Manager
 * throttling and a corpus of hostile commands. Every update is accounted for: applied (and
 * checked against the emulator's state), reported (batchItemFailures or a thrown error), or
 * lost. The bar: lost = 0. It also captures everything the run printed or threw and searches it
 * for the secrets, the STS token and any Authorization header.
 */

import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerCredentialsProvider } from '../../src/credentials/provider.ts';
import { createSecretsManagerClient } from '../../src/credentials/secrets-client.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { SlsEmulator } from '../../src/emulator/types.ts';
import { CheckpointCommandsError, createCheckpointHandler } from '../../src/handlers/checkpoint.ts';
import { createHeartbeatHandler } from '../../src/handlers/heartbeat.ts';
import { createLogger } from '../../src/log.ts';
import { SlsClient } from '../../src/sls/client.ts';
import { createUndiciTransport, type HttpTransport } from '../../src/sls/http.ts';
import { createManualClock } from '../helpers/clock.ts';
import { cursor, eventBridgeEvent, lambdaContext, sqsEventOf } from '../helpers/factories.ts';
import { motoEndpointOrFail, resetMoto } from '../helpers/moto.ts';
import { startThrottlingProxy, type ThrottlingProxy } from '../helpers/throttling-proxy.ts';

const PROJECT = 'fault-project';
const LOGSTORE = 'fault-logstore';
const GROUP = 'fault-group';
const SHARDS = 8;
const SECRET_ID = 'sls/fault-suite';
const KEY1 = { accessKeyId: 'LTAIfaultKeyOne', accessKeySecret: 'FIRST-SECRET-d41d8cd98f00' };
const KEY2 = {
  accessKeyId: 'STS.faultKeyTwo',
  accessKeySecret: 'SECOND-SECRET-9e107d9d372b',
  securityToken: 'STS-TOKEN-e4d909c290d0fb1ca068ffaddf22cbd0',
};

const clock = createManualClock();
let skewMs = 0;
const clientNow = () => clock.now() + skewMs;
let emulator: SlsEmulator;
let proxy: ThrottlingProxy;
let admin: SecretsManagerClient;
let sm: SecretsManagerClient;
let transport: HttpTransport;
let checkpoint: ReturnType<typeof createCheckpointHandler>;
let heartbeat: ReturnType<typeof createHeartbeatHandler>;
const captured: string[] = [];
const restoreConsole: (() => void)[] = [];
const tally = { faults: 0, retried: 0, applied: 0, reported: 0, lost: 0, submitted: 0 };
let nextCursor = 1_700_000_000_000_000_000n;

beforeAll(async () => {
  const moto = motoEndpointOrFail();
  await resetMoto(moto);
  admin = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await admin.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: JSON.stringify(KEY1) }));
  proxy = await startThrottlingProxy(moto);
  // The functions' own client (HTTP on undici), two attempts per read.
  sm = createSecretsManagerClient({
    region: 'us-east-1',
    endpoint: proxy.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });

  emulator = await startEmulator({ now: clock.now, keys: [KEY1] });
  emulator.createLogstore(PROJECT, LOGSTORE, SHARDS);
  emulator.createConsumerGroup(PROJECT, LOGSTORE, GROUP, { timeoutSeconds: 60 });

  // Everything the functions print goes through console, as in Lambda; keep a copy of it all.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    // biome-ignore lint/suspicious/noConsole: the capture has to wrap every console method.
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
    restoreConsole.push(() => {
      console[method] = original;
    });
  }
  const logger = createLogger({ level: 'debug' });
  const credentials = new SecretsManagerCredentialsProvider({
    secretId: SECRET_ID,
    client: sm,
    ttlMs: 60_000,
    now: clock.now,
    logger,
  });
  transport = createUndiciTransport({ connectTimeoutMs: 500 });
  const client = new SlsClient({
    credentials,
    transport,
    now: clientNow,
    sleep: clock.sleep,
    random: () => 0.5,
    retry: { attemptTimeoutMs: 150, minAttemptMs: 20, maxAttempts: 6 },
    logger,
    onRetry: () => {
      tally.retried++;
    },
  });
  const common = {
    endpoint: emulator.url,
    project: PROJECT,
    logstore: LOGSTORE,
    consumerGroup: GROUP,
    logLevel: 'debug' as const,
  };
  checkpoint = createCheckpointHandler({
    config: { ...common, monotonic: false, concurrency: 8 },
    client,
    logger,
    now: clientNow,
    credentials,
  });
  heartbeat = createHeartbeatHandler({
    config: {
      ...common,
      targets: [{ project: PROJECT, logstore: LOGSTORE, consumerGroup: GROUP, consumer: 'fault-consumer' }],
      intervalMs: 20_000,
      concurrency: 1,
      safetyMarginMs: 3_000,
      createConsumerGroup: false,
      groupTimeoutSeconds: 60,
      groupInOrder: false,
      requestTimeoutMs: 150,
    },
    client,
    logger,
    now: clientNow,
    sleep: clock.sleep,
    credentials,
  });
});

afterAll(async () => {
  for (const restore of restoreConsole) restore();
  // Injected by the emulator or proxy, plus what the scenarios provoke: rejected keys and skew.
  tally.faults =
    emulator.requests.filter(
      (r) => r.fault !== undefined || r.status === 401 || r.errorCode === 'RequestTimeExpired',
    ).length + proxy.throttled;
  console.info(
    [
      '',
      'Fault and bad-input suite',
      '| faults injected | requests retried | updates applied | updates reported as failed | updates lost |',
      '|-----------------|------------------|-----------------|----------------------------|--------------|',
      `| ${tally.faults} | ${tally.retried} | ${tally.applied} | ${tally.reported} | ${tally.lost} |`,
      `(${tally.submitted} updates submitted; every one is applied or reported)`,
    ].join('\n'),
  );
  await transport?.close();
  await emulator?.close();
  await proxy?.close();
  admin?.destroy();
  sm?.destroy();
});

/** Valid updates: `perShard` increasing cursors for every shard. */
function updates(perShard: number): { shard: number; checkpoint: string }[] {
  const out = [];
  for (let i = 0; i < perShard; i++) {
    for (let shard = 0; shard < SHARDS; shard++) out.push({ shard, checkpoint: cursor(nextCursor++) });
  }
  return out;
}

const isUpdate = (b: unknown): b is { shard: number; checkpoint: string } =>
  typeof b === 'object' && b !== null && typeof (b as { shard?: unknown }).shard === 'number';

/**
 * Runs one SQS batch and accounts for every record. A record not in batchItemFailures must
 * have landed: the emulator's checkpoint of its shard must be the shard's last such record.
 */
async function sqsBatch(bodies: unknown[], valid: (b: unknown) => boolean = isUpdate) {
  const event = sqsEventOf(bodies);
  const reply = (await checkpoint(event, lambdaContext(60_000))) as SQSBatchResponse;
  const failed = new Set(reply.batchItemFailures.map((f) => f.itemIdentifier));
  const ids = new Set(event.Records.map((r) => r.messageId));
  for (const id of failed) expect(ids.has(id), `unknown id ${id} in batchItemFailures`).toBe(true);
  const state = emulator.checkpoints(PROJECT, LOGSTORE, GROUP);
  const lastLanded = new Map<number, string>();
  event.Records.forEach((record, i) => {
    const body = bodies[i];
    tally.submitted++;
    if (failed.has(record.messageId)) {
      tally.reported++;
    } else if (valid(body) && isUpdate(body)) {
      lastLanded.set(body.shard, body.checkpoint);
    } else {
      tally.lost++; // an invalid record that was neither applied nor reported
    }
  });
  event.Records.forEach((record, i) => {
    const body = bodies[i];
    if (failed.has(record.messageId) || !isUpdate(body) || !valid(body)) return;
    if (state[body.shard]?.checkpoint === lastLanded.get(body.shard)) tally.applied++;
    else tally.lost++;
  });
  return { failed, reply };
}

describe('fault suite', () => {
  it('applies a clean batch, one value per shard', async () => {
    const mark = emulator.requests.length;
    const { failed } = await sqsBatch(updates(5));
    expect(failed.size).toBe(0);
    // A cold attempt slower than the suite's 150 ms limit is retried: the same value again.
    const written = emulator.requests.slice(mark).filter((r) => r.operation === 'checkpoint');
    expect(new Set(written.map((r) => r.body)).size).toBe(SHARDS);
  });

  it('rides out a 5xx storm', async () => {
    emulator.injectFault({
      operation: 'checkpoint',
      times: 10,
      action: { kind: 'error', status: 503, code: 'ServerBusy' },
    });
    emulator.injectFault({
      operation: 'checkpoint',
      times: 6,
      action: { kind: 'error', status: 500, code: 'InternalServerError' },
    });
    await sqsBatch(updates(4));
    emulator.clearFaults();
  });

  it('survives dropped connections', async () => {
    emulator.injectFault({ operation: 'checkpoint', times: 8, action: { kind: 'drop' } });
    await sqsBatch(updates(3));
    emulator.clearFaults();
  });

  it('times out slow replies and retries them', async () => {
    emulator.injectFault({ operation: 'checkpoint', times: 4, action: { kind: 'delay', ms: 300 } });
    await sqsBatch(updates(2));
    // A timed-out request may still land at the server later; let those finish first.
    await new Promise((resolve) => setTimeout(resolve, 350));
  });

  it('recovers from a rotated key with one extra secret fetch', async () => {
    const fetchesBefore = proxy.forwarded;
    await admin.send(new PutSecretValueCommand({ SecretId: SECRET_ID, SecretString: JSON.stringify(KEY2) }));
    emulator.putKey(KEY2);
    emulator.removeKey(KEY1.accessKeyId);
    const mark = emulator.requests.length;
    const { failed } = await sqsBatch(updates(2));
    expect(failed.size).toBe(0);
    const rejected = emulator.requests.slice(mark).filter((r) => r.status === 401);
    // Only the requests already in flight with the old key are refused, each once, and all
    // of them share a single fetch of the rotated secret.
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.length).toBeLessThanOrEqual(SHARDS);
    expect(proxy.forwarded - fetchesBefore).toBe(1);
  });

  it('re-signs after a clock-skew rejection', async () => {
    skewMs = -20 * 60 * 1000;
    const mark = emulator.requests.length;
    const { failed } = await sqsBatch(updates(2));
    expect(failed.size).toBe(0);
    expect(emulator.requests.slice(mark).some((r) => r.errorCode === 'RequestTimeExpired')).toBe(true);
  });

  it('keeps a consumer alive, and re-registers it after it expired', async () => {
    const end = () => clientNow() + 50_000;
    let deadline = end();
    let report = await heartbeat(
      {},
      lambdaContext(() => deadline - clientNow()),
    );
    expect(report.targets[0]?.beats).toBeGreaterThanOrEqual(3);
    clock.advance(5 * 60 * 1000); // nothing ran for five minutes: the consumer expired
    deadline = end();
    report = await heartbeat(
      {},
      lambdaContext(() => deadline - clientNow()),
    );
    expect(report.targets[0]).toMatchObject({ reRegistrations: 1 });
    expect(report.targets[0]?.shards).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reports a whole batch when Secrets Manager throttles, then recovers', async () => {
    clock.advance(61_000); // past the credentials TTL
    proxy.throttle(2); // both SDK attempts of the next fetch
    const first = await sqsBatch(updates(1));
    expect(first.failed.size).toBe(SHARDS);
    const second = await sqsBatch(updates(1));
    expect(second.failed.size).toBe(0);
  });

  it('reports every hostile record and applies the valid ones around them', async () => {
    const big = 'A'.repeat(20_000);
    const hostile: unknown[] = [
      'not json',
      '',
      'null',
      '[]',
      '[{"shard":1,"checkpoint":"MTU="}]',
      '{"shard":1}',
      '{"checkpoint":"MTU="}',
      '{"shard":"1","checkpoint":"MTU="}',
      '{"shard":-1,"checkpoint":"MTU="}',
      '{"shard":1.5,"checkpoint":"MTU="}',
      '{"shard":1e400,"checkpoint":"MTU="}',
      '{"shard":99999999999999999999,"checkpoint":"MTU="}',
      '{"shard":1,"checkpoint":""}',
      '{"shard":1,"checkpoint":"not base64!"}',
      '{"shard":1,"checkpoint":"MTU"}',
      '{"shard":1,"checkpoint":12}',
      '{"shard":1,"checkpoint":"MTU=","extra":true}',
      '{"shard":1,"checkpoint":"MTU=","__proto__":{"polluted":1}}',
      '{"shard":1,"checkpoint":"MTU=","project":"../../etc"}',
      '{"shard":1,"checkpoint":"MTU=","consumerGroup":"g?type=heartbeat"}',
      '{"shard":1,"checkpoint":"MTU=","consumer":"c&forceSuccess=true"}',
      '{"shard":1,"checkpoint":"MTU=","forceSuccess":false}',
      '{"shard":1,"checkpoint":"MTU=","forceSuccess":"yes"}',
      `{"shard":1,"checkpoint":"${big}"}`,
      `{"shard":1,"checkpoint":"MTU=","pad":"${big}"}`,
      '['.repeat(5_000) + ']'.repeat(5_000),
      '{"shard":1,"checkpoint":"MTU=",}',
      '\u0000\u0001\u0002',
      '{"shard":1,"checkpoint":"MTU=","logstore":"ÜNICODE"}',
    ];
    const valid = updates(1);
    const bodies = [...hostile.slice(0, 15), ...valid, ...hostile.slice(15)];
    const validSet = new Set<unknown>(valid);
    const { failed } = await sqsBatch(bodies, (b) => validSet.has(b));
    expect(failed.size).toBe(hostile.length);

    // The same commands as EventBridge events: each one throws an error naming the field.
    for (const body of hostile.slice(5, 12)) {
      tally.submitted++;
      const detail = JSON.parse(body as string) as unknown;
      const error = await checkpoint(eventBridgeEvent(detail), lambdaContext(10_000)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CheckpointCommandsError);
      captured.push(JSON.stringify(error), String(error), (error as Error).stack ?? '');
      tally.reported++;
    }
  });

  it('lost no update', () => {
    expect(tally.lost).toBe(0);
    expect(tally.applied + tally.reported).toBe(tally.submitted);
  });

  it('never printed or threw a secret, a token or an Authorization header', () => {
    const text = captured.join('\n');
    expect(text.length).toBeGreaterThan(1_000); // the run did log
    for (const needle of [KEY1.accessKeySecret, KEY2.accessKeySecret, KEY2.securityToken]) {
      expect(text).not.toContain(needle);
      expect(text).not.toContain(needle.slice(0, 12));
    }
    expect(text).not.toMatch(/LOG [A-Za-z0-9.]+:[A-Za-z0-9+/=]{20,}/);
    expect(text).not.toMatch(/signature [A-Za-z0-9+/=]{20,}/i);
    expect(text.toLowerCase()).not.toContain('"authorization":"log');
  });
});
