/**
 * Conformance: the official Node SDK `@alicloud/sls20201230` (what Alibaba Cloud documents for
 * Node today) as a real client of the emulator. Whatever it signs and sends, the emulator must
 * accept as SLS does, and its replies must parse in the SDK: with the SDK's default signing (v1,
 * hmac-sha256), with v4, each with and without an STS token.
 *
 * The SDK connects to `{project}.{endpoint}`; names under `.sls-emulator.test` (a reserved TLD)
 * are resolved to 127.0.0.1 by a `dns.lookup` patched for this file only.
 */
import dns from 'node:dns';
import { createRequire } from 'node:module';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.ts';
import type { EmulatorKey, SignatureScheme, SlsEmulator } from '../../src/emulator/types.ts';
import { EMULATOR_DOMAIN, loopbackLookup } from './loopback.ts';

// Loaded as CommonJS, as a Node user's `require` would: test runners disagree on what an ESM
// default import of it means.
const Sls = createRequire(import.meta.url)('@alicloud/sls20201230') as typeof import('@alicloud/sls20201230');

const PROJECT = 'sdk-project';
const LOGSTORE = 'sdk-logstore';
const SHARDS = 4;
const KEY: EmulatorKey = { accessKeyId: 'LTAIconformance01', accessKeySecret: 'conformance-secret-1' };
const STS_KEY: EmulatorKey = {
  accessKeyId: 'STS.conformance02',
  accessKeySecret: 'conformance-secret-2',
  securityToken: 'CAIS-conformance-token',
};

let emulator: SlsEmulator;
const originalLookup = dns.lookup;

beforeAll(async () => {
  // The SDK signs with the real clock and has no skew correction: the emulator keeps real time.
  emulator = await startEmulator({ keys: [KEY, STS_KEY] });
  emulator.createLogstore(PROJECT, LOGSTORE, SHARDS);
  dns.lookup = loopbackLookup(originalLookup);
});

afterAll(async () => {
  dns.lookup = originalLookup;
  await emulator?.close();
});

interface Mode {
  readonly name: string;
  readonly key: EmulatorKey;
  readonly v4: boolean;
  readonly scheme: SignatureScheme;
}

const MODES: readonly Mode[] = [
  { name: 'default signing (v1, hmac-sha256)', key: KEY, v4: false, scheme: 'v1-hmac-sha256' },
  { name: 'v4', key: KEY, v4: true, scheme: 'v4' },
  { name: 'default signing with an STS token', key: STS_KEY, v4: false, scheme: 'v1-hmac-sha256' },
  { name: 'v4 with an STS token', key: STS_KEY, v4: true, scheme: 'v4' },
];

/** A client configured as the SDK's docs show, pointed at the emulator over plain HTTP. */
function sdkClient(mode: Mode, secret = mode.key.accessKeySecret): InstanceType<typeof Sls.default> {
  const port = new URL(emulator.url).port;
  return new Sls.default(
    new $OpenApiUtil.Config({
      accessKeyId: mode.key.accessKeyId,
      accessKeySecret: secret,
      securityToken: mode.key.securityToken,
      endpoint: `${EMULATOR_DOMAIN}:${port}`,
      protocol: 'HTTP',
      // The SDK reads the region from a *.log.aliyuncs.com endpoint; this one names none.
      regionId: mode.v4 ? emulator.region : undefined,
      signatureVersion: mode.v4 ? 'v4' : undefined,
    }),
  );
}

describe.each(MODES)('@alicloud/sls20201230 with $name', (mode) => {
  const group = `group-${MODES.indexOf(mode)}`;
  const checkpoint = (n: number) => Buffer.from(`1763884800${mode.scheme}${n}`).toString('base64');

  it('creates a group, heartbeats, updates checkpoints both ways, reads them back', async () => {
    const client = sdkClient(mode);
    const since = emulator.requests.length;

    const created = await client.createConsumerGroup(
      PROJECT,
      LOGSTORE,
      new Sls.CreateConsumerGroupRequest({ consumerGroup: group, timeout: 60, order: false }),
    );
    expect(created.statusCode).toBe(200);

    const first = await client.consumerGroupHeartBeat(
      PROJECT,
      LOGSTORE,
      group,
      new Sls.ConsumerGroupHeartBeatRequest({ consumer: 'consumer-1', body: [] }),
    );
    expect(first.body).toEqual([0, 1, 2, 3]);
    const second = await client.consumerGroupHeartBeat(
      PROJECT,
      LOGSTORE,
      group,
      new Sls.ConsumerGroupHeartBeatRequest({ consumer: 'consumer-1', body: first.body }),
    );
    expect(second.body).toEqual([0, 1, 2, 3]);

    const held = await client.consumerGroupUpdateCheckPoint(
      PROJECT,
      LOGSTORE,
      group,
      new Sls.ConsumerGroupUpdateCheckPointRequest({
        shard: 0,
        checkpoint: checkpoint(0),
        consumer: 'consumer-1',
        forceSuccess: false,
      }),
    );
    expect(held.statusCode).toBe(200);
    const forced = await client.consumerGroupUpdateCheckPoint(
      PROJECT,
      LOGSTORE,
      group,
      new Sls.ConsumerGroupUpdateCheckPointRequest({
        shard: 1,
        checkpoint: checkpoint(1),
        forceSuccess: true,
      }),
    );
    expect(forced.statusCode).toBe(200);

    const read = await client.getCheckPoint(PROJECT, LOGSTORE, group, new Sls.GetCheckPointRequest({}));
    expect(read.statusCode).toBe(200);
    // The consumer column names the shard's holder: consumer-1 holds all four.
    expect(read.body?.map((c) => [c.shard, c.checkpoint, c.consumer])).toEqual([
      [0, checkpoint(0), 'consumer-1'],
      [1, checkpoint(1), 'consumer-1'],
      [2, '', 'consumer-1'],
      [3, '', 'consumer-1'],
    ]);
    const one = await client.getCheckPoint(
      PROJECT,
      LOGSTORE,
      group,
      new Sls.GetCheckPointRequest({ shard: 1 }),
    );
    expect(one.body?.map((c) => c.checkpoint)).toEqual([checkpoint(1)]);

    const seen = emulator.requests.slice(since);
    expect(seen.map((r) => r.operation)).toEqual([
      'createConsumerGroup',
      'heartbeat',
      'heartbeat',
      'checkpoint',
      'checkpoint',
      'getCheckpoint',
      'getCheckpoint',
    ]);
    expect(seen.map((r) => `${r.status} ${r.signature}`)).toEqual(Array(7).fill(`200 ${mode.scheme}`));
    expect(seen[3]?.query).toEqual({ type: 'checkpoint', consumer: 'consumer-1', forceSuccess: 'false' });
    expect(seen[4]?.query).toEqual({ type: 'checkpoint', forceSuccess: 'true' });
  });

  it('lists shards and groups and reads cursors, as the SDK models them', async () => {
    const client = sdkClient(mode);
    // Each mode its own shard: a shard's log only grows forward in time.
    const shard = MODES.indexOf(mode);
    const now = Date.now();
    const [, second] = emulator.writeLogGroups(PROJECT, LOGSTORE, shard, [now - 60_000, now - 30_000]);
    emulator.createConsumerGroup(PROJECT, LOGSTORE, `listed-${shard}`, { timeoutSeconds: 90, inOrder: true });

    const shards = await client.listShards(PROJECT, LOGSTORE);
    expect(shards.body?.map((s) => [s.shardID, s.status])).toEqual([
      [0, 'readwrite'],
      [1, 'readwrite'],
      [2, 'readwrite'],
      [3, 'readwrite'],
    ]);
    expect(shards.body?.[3]?.exclusiveEndKey).toBe('f'.repeat(32));
    const groups = await client.listConsumerGroup(PROJECT, LOGSTORE);
    expect(groups.body?.find((g) => g.name === `listed-${shard}`)).toMatchObject({
      timeout: 90,
      order: true,
    });

    const shardId = String(shard);
    const at = await client.getCursor(
      PROJECT,
      LOGSTORE,
      shardId,
      new Sls.GetCursorRequest({ from: String(Math.floor((now - 45_000) / 1000)) }),
    );
    expect(at.body?.cursor).toBe(second);
    const time = await client.getCursorTime(
      PROJECT,
      LOGSTORE,
      shardId,
      new Sls.GetCursorTimeRequest({ cursor: at.body?.cursor }),
    );
    expect(Number(time.body?.cursorTime)).toBe(Math.floor((now - 30_000) / 1000));
    const badFrom = await client
      .getCursor(PROJECT, LOGSTORE, shardId, new Sls.GetCursorRequest({ from: 'yesterday' }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(badFrom).toMatchObject({ code: 'ParameterInvalid', statusCode: 400 });
  });

  it('gets SLS errors it can read: code, status and request id', async () => {
    const wrongSecret = sdkClient(mode, 'not-the-secret');
    const error = await wrongSecret
      .getCheckPoint(PROJECT, LOGSTORE, group, new Sls.GetCheckPointRequest({}))
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; statusCode?: number; data?: Record<string, unknown> },
      );
    expect(error).toMatchObject({ code: 'SignatureNotMatch', statusCode: 401 });
    expect(error?.data?.requestId).toMatch(/^[0-9A-F]{24}$/);

    const notAConsumer = await sdkClient(mode)
      .consumerGroupUpdateCheckPoint(
        PROJECT,
        LOGSTORE,
        group,
        new Sls.ConsumerGroupUpdateCheckPointRequest({
          shard: 2,
          checkpoint: checkpoint(2),
          consumer: 'nobody',
          forceSuccess: false,
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(notAConsumer).toMatchObject({ code: 'ConsumerNotExist', statusCode: 404 });
  });
});
