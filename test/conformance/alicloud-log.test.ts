/**
 * Conformance: `@alicloud/log` (the older official Node client; v1 with hmac-sha1) against the
 * emulator. It has no consumer-group methods, so the calls go through its own request method
 * (`_request`, which its public methods use). It parses every reply whose content type is JSON,
 * so an empty reply labelled `application/json` used to break it: SLS sends none.
 */
import dns from 'node:dns';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.ts';
import type { EmulatorKey, SlsEmulator } from '../../src/emulator/types.ts';
import { EMULATOR_DOMAIN, loopbackLookup } from './loopback.ts';

interface LogClient {
  _request(
    verb: 'GET' | 'POST',
    project: string,
    path: string,
    queries: Record<string, string>,
    body: Buffer | null,
    headers: Record<string, string>,
  ): Promise<unknown>;
}
const LogClient = createRequire(import.meta.url)('@alicloud/log') as new (config: {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  endpoint: string;
}) => LogClient;

const PROJECT = 'log-project';
const GROUP_PATH = '/logstores/log-store/consumergroups/log-group';
const KEY: EmulatorKey = {
  accessKeyId: 'STS.alicloudlog',
  accessKeySecret: 'alicloud-log-secret',
  securityToken: 'alicloud-log-token',
};

let emulator: SlsEmulator;
let client: LogClient;
const originalLookup = dns.lookup;

beforeAll(async () => {
  emulator = await startEmulator({ keys: [KEY] });
  emulator.createLogstore(PROJECT, 'log-store', 2);
  emulator.createConsumerGroup(PROJECT, 'log-store', 'log-group', { timeoutSeconds: 60 });
  dns.lookup = loopbackLookup(originalLookup);
  client = new LogClient({ ...KEY, endpoint: `http://${EMULATOR_DOMAIN}:${new URL(emulator.url).port}` });
});

afterAll(async () => {
  dns.lookup = originalLookup;
  await emulator?.close();
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('@alicloud/log with an STS token', () => {
  it('heartbeats, checkpoints (an empty reply) and reads the checkpoints back', async () => {
    const heartbeat = { type: 'heartbeat', consumer: 'c1' };
    expect(await client._request('POST', PROJECT, GROUP_PATH, heartbeat, json([]), {})).toEqual([0, 1]);
    const update = { type: 'checkpoint', consumer: 'c1', forceSuccess: 'false' };
    expect(
      await client._request('POST', PROJECT, GROUP_PATH, update, json({ shard: 1, checkpoint: 'MTU=' }), {}),
    ).toBe('');
    const read = (await client._request('GET', PROJECT, GROUP_PATH, {}, null, {})) as {
      checkpoint: string;
    }[];
    expect(read.map((c) => c.checkpoint)).toEqual(['', 'MTU=']);
    expect(emulator.requests.map((r) => `${r.status} ${r.signature}`)).toEqual(
      Array(3).fill('200 v1-hmac-sha1'),
    );
  });

  it('turns an error reply into its error code and request id', async () => {
    const error = await client
      ._request(
        'POST',
        PROJECT,
        GROUP_PATH,
        { type: 'checkpoint', forceSuccess: 'true' },
        json({ shard: 9, checkpoint: 'MTU=' }),
        {},
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({
      code: 'ShardNotExist',
      requestid: expect.stringMatching(/^[0-9A-F]{24}$/),
    });
  });
});
