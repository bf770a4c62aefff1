/**
 * A v4 run end to end: the environment a user deploys (SLS_SIGNATURE_VERSION=v4, SLS_REGION)
 * is parsed at cold start, the client is built from it as in production, and a heartbeat
 * invocation followed by a checkpoint batch land on the emulator, every request verified as v4.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCheckpointConfig, loadHeartbeatConfig } from '../../src/config.ts';
import { createCheckpointHandler } from '../../src/handlers/checkpoint.ts';
import { createHeartbeatHandler } from '../../src/handlers/heartbeat.ts';
import { slsClientFor } from '../../src/handlers/runtime.ts';
import { silentLogger } from '../../src/log.ts';
import { cursor, lambdaContext, sqsEventOf } from '../helpers/factories.ts';
import { type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

let f: SlsFixture;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 4, groupTimeoutSeconds: 60 });
});
afterEach(async () => {
  await f.close();
});

/** What a user sets on both functions; the emulator plays region cn-hangzhou. */
const environment = (signing: Record<string, string>) => ({
  SLS_ENDPOINT: f.emulator.url,
  SLS_PROJECT: 'test-project',
  SLS_LOGSTORE: 'test-logstore',
  SLS_CONSUMER_GROUP: 'test-group',
  SLS_CONSUMER: 'worker-1',
  SLS_CREDENTIALS_SECRET_ID: 'sls/credentials',
  SLS_REQUEST_TIMEOUT_MS: '2000',
  ...signing,
});

/** One heartbeat invocation with 50 s to run, its config and client built from `env`. */
function invokeHeartbeat(env: Record<string, string>) {
  const config = loadHeartbeatConfig(env);
  const heartbeat = createHeartbeatHandler({
    config,
    client: slsClientFor(config, collaborators()),
    logger: silentLogger,
    now: f.clock.now,
    sleep: f.clock.sleep,
  });
  const end = f.clock.now() + 50_000;
  return heartbeat(
    {},
    lambdaContext(() => end - f.clock.now()),
  );
}

/** One SQS batch: with a consumer (forceSuccess false by default and explicitly), and without. */
function invokeCheckpoint(env: Record<string, string>) {
  const config = loadCheckpointConfig(env);
  const checkpoint = createCheckpointHandler({
    config,
    client: slsClientFor(config, collaborators()),
    logger: silentLogger,
    now: f.clock.now,
  });
  return checkpoint(
    sqsEventOf([
      { shard: 0, checkpoint: cursor(100), consumer: 'worker-1' },
      { shard: 1, checkpoint: cursor(101), consumer: 'worker-1', forceSuccess: false },
      { shard: 2, checkpoint: cursor(102) },
    ]),
    lambdaContext(),
  );
}

/** What production gets from the runtime, here the fixture's key, sockets and clock. */
const collaborators = () => ({
  credentials: f.credentials,
  transport: f.transport,
  now: f.clock.now,
  sleep: f.clock.sleep,
});

describe('signature v4 end to end', () => {
  it('a heartbeat invocation and a checkpoint batch land, every request signed and verified as v4', async () => {
    const env = environment({ SLS_SIGNATURE_VERSION: 'v4', SLS_REGION: f.emulator.region });
    const report = await invokeHeartbeat(env);
    const reply = await invokeCheckpoint(env);
    expect(report.targets[0]).toMatchObject({
      consumer: 'worker-1',
      beats: 3,
      failures: 0,
      shards: [0, 1, 2, 3],
    });
    expect(reply).toEqual({ batchItemFailures: [] });
    expect(
      f.emulator.checkpoints('test-project', 'test-logstore', 'test-group').map((c) => c.checkpoint),
    ).toEqual([cursor(100), cursor(101), cursor(102), '']);
    const seen = f.emulator.requests.map((r) => `${r.operation} ${r.status} ${r.signature}`);
    expect(seen.filter((s) => s.startsWith('getCheckpoint'))).toEqual(['getCheckpoint 200 v4']);
    expect(seen.filter((s) => s.startsWith('heartbeat'))).toEqual(Array(3).fill('heartbeat 200 v4'));
    expect(seen.filter((s) => s.startsWith('checkpoint'))).toEqual(Array(3).fill('checkpoint 200 v4'));
    expect(seen).toHaveLength(7);
  });

  it('the same run with the default environment signs v1', async () => {
    await invokeHeartbeat(environment({}));
    await invokeCheckpoint(environment({}));
    expect(new Set(f.emulator.requests.map((r) => `${r.status} ${r.signature}`))).toEqual(
      new Set(['200 v1-hmac-sha1']),
    );
  });

  it('a signature scoped to another region is refused, and the invocation fails naming the code', async () => {
    await expect(
      invokeHeartbeat(environment({ SLS_SIGNATURE_VERSION: 'v4', SLS_REGION: 'cn-shanghai' })),
    ).rejects.toThrow(/no heartbeat got through .*: SignatureNotMatch/);
    expect(f.emulator.requests.every((r) => r.errorCode === 'SignatureNotMatch')).toBe(true);
  });
});
