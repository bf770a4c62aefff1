/**
 * The operator CLI as a user runs it: the real `bin/slscheckpoint.js` in a child process (Node
 * 24, TypeScript run directly) against the emulator on 127.0.0.1, credentials from the
 * environment or from a Secrets Manager (its own moto_server). Checks its tables and JSON, the
 * confirmation, and every documented exit code. The emulator keeps real time: the child signs
 * with the real clock.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMotoServer } from '../../scripts/local/moto.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { SlsEmulator } from '../../src/emulator/types.ts';
import { SlsClient } from '../../src/sls/client.ts';
import type { Target } from '../../src/sls/types.ts';
import { runProcess } from '../helpers/process.ts';
import { staticCredentials, TEST_KEY } from '../helpers/sls.ts';

const BIN = new URL('../../bin/slscheckpoint.js', import.meta.url).pathname;
const PROJECT = 'cli-project';
const GROUP = 'cli-group';

let emulator: SlsEmulator;
let moto: Awaited<ReturnType<typeof startMotoServer>>;
/** A fresh logstore per test, so each starts from known data. */
let logstore: string;
let target: Target;
/** Per shard, the cursors of the log groups written and when they were received (epoch ms). */
let logs: { at: number; cursor: string }[][];
let t0: number;
let counter = 0;

beforeAll(async () => {
  emulator = await startEmulator({ keys: [TEST_KEY] });
  moto = await startMotoServer();
});
afterAll(async () => {
  await emulator?.close();
  await moto?.stop();
});

beforeEach(async () => {
  logstore = `cli-store-${++counter}`;
  t0 = Date.now();
  emulator.createLogstore(PROJECT, logstore, 3, { readOnlyShards: [2] });
  emulator.createConsumerGroup(PROJECT, logstore, GROUP, { timeoutSeconds: 60 });
  target = { endpoint: emulator.url, project: PROJECT, logstore, consumerGroup: GROUP };
  const received = [[t0 - 120_000, t0 - 90_000, t0 - 30_000], [t0 - 60_000, t0 - 20_000], [t0 - 50_000]];
  logs = received.map((times, shard) => {
    const cursors = emulator.writeLogGroups(PROJECT, logstore, shard, times);
    return times.map((at, i) => ({ at, cursor: cursors[i] as string }));
  });
  // Shard 0 consumed its first log group: the second waits since t0 − 90 s.
  const client = new SlsClient({ credentials: staticCredentials(TEST_KEY) });
  await client.updateCheckpoint(target, {
    shard: 0,
    checkpoint: logs[0]?.[1]?.cursor ?? '',
    forceSuccess: true,
  });
  emulator.clearRequests();
});

/** The variables a laptop would set: the functions' names and an AccessKey. */
const laptopEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  SLS_ENDPOINT: emulator.url,
  SLS_PROJECT: PROJECT,
  SLS_LOGSTORE: logstore,
  SLS_CONSUMER_GROUP: GROUP,
  SLS_REQUEST_TIMEOUT_MS: '2000',
  ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.accessKeySecret,
});

const cli = (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  runProcess(process.execPath, [BIN, ...args], {
    env: options.env ?? laptopEnv(),
    input: options.input,
    timeoutMs: 30_000,
  });

const stored = () => emulator.checkpoints(PROJECT, logstore, GROUP).map((c) => c.checkpoint);
const writes = () => emulator.requests.filter((r) => r.operation === 'checkpoint');
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('slscheckpoint --help', () => {
  it('explains every command, its options, the environment and the exit codes', async () => {
    const [top, status, seek, set] = await Promise.all(
      [['--help'], ['status', '--help'], ['seek', '--help'], ['set', '--help']].map((args) => cli(args)),
    );
    for (const run of [top, status, seek, set]) {
      expect(run?.code).toBe(0);
      expect(run?.stdout).toContain('Exit codes:');
      expect(run?.stdout).toContain('3  not confirmed');
    }
    expect(top?.stdout).toMatch(/Usage: slscheckpoint \[options\] \[command\]/);
    expect(top?.stdout).toMatch(/status \[options\][\s\S]*seek \[options\][\s\S]*set \[options\]/);
    expect(seek?.stdout).toMatch(/--from <position>[\s\S]*--shard <id>[\s\S]*-y, --yes/);
    expect(set?.stdout).toMatch(/--checkpoint <cursor>/);
    expect(status?.stdout).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
  });
});

describe('slscheckpoint status', () => {
  it('prints a table with the group, its shards and the lag the data shows', async () => {
    const run = await cli(['status']);
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toContain(
      `Consumer group ${PROJECT}/${logstore}/${GROUP}  (timeout 60 s, in order: no)`,
    );
    // Shard 0's next log group has waited 90 s (and the few seconds this run took).
    expect(run.stdout).toMatch(/Lag 1 min 3\d s/);
    expect(run.stdout).toMatch(/│ 0\s+│ readwrite │ \S+\s+│ \S+Z │/);
    expect(run.stdout).toMatch(/│ 2\s+│ readonly\s+│ -/);
    expect(run.stdout).toContain('no checkpoint');
    // Not a terminal: no colour codes.
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('prints one JSON document with --json', async () => {
    const run = await cli(['status', '--json']);
    expect(run.code, run.output).toBe(0);
    const status = JSON.parse(run.stdout) as Record<string, unknown> & { shards: Record<string, unknown>[] };
    expect(status).toMatchObject({ project: PROJECT, logstore, consumerGroup: GROUP, timeoutSeconds: 60 });
    expect(status.shards[0]).toMatchObject({
      shard: 0,
      checkpoint: logs[0]?.[1]?.cursor,
      checkpointTime: seconds(t0 - 90_000),
      lagSeconds: expect.any(Number),
    });
    expect(status.shards[0]?.lagSeconds).toBeGreaterThanOrEqual(90);
    expect(status.shards[0]?.lagSeconds).toBeLessThan(120);
    expect(status.shards.map((s) => s.status)).toEqual(['readwrite', 'readwrite', 'readonly']);
    expect(emulator.requests.every((r) => r.operation !== 'checkpoint' && r.status === 200)).toBe(true);
  });
});

describe('slscheckpoint seek', () => {
  it('asks first: no, or no answer at all, changes nothing (exit 3)', async () => {
    const [no, silent] = await Promise.all([
      cli(['seek', '--from', 'begin'], { input: 'n\n' }),
      cli(['seek', '--from', 'begin']),
    ]);
    for (const run of [no, silent]) {
      expect(run.code, run.output).toBe(3);
      expect(run.stderr).toContain(
        `Move every shard of consumer group ${PROJECT}/${logstore}/${GROUP} to begin (forced, as no consumer)? [y/N]`,
      );
      expect(run.stderr).toContain('not confirmed: nothing was changed');
    }
    expect(writes()).toHaveLength(0);
  });

  it('moves every shard to begin after a yes, then shows the group (exit 0)', async () => {
    const run = await cli(['seek', '--from', 'begin'], { input: 'y\n' });
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toContain('seek to begin: done (3 shards written)');
    expect(run.stdout).toContain(`Consumer group ${PROJECT}/${logstore}/${GROUP}`);
    expect(stored()).toEqual(logs.map((l) => l[0]?.cursor));
  });

  it('seeks to an ISO time with --yes --json: every shard at its first log group at or after it', async () => {
    const from = new Date(t0 - 40_000).toISOString();
    const run = await cli(['seek', '--from', from, '--yes', '--json']);
    expect(run.code, run.output).toBe(0);
    const out = JSON.parse(run.stdout) as { result: Record<string, unknown>; status: { lagSeconds: number } };
    expect(out.result).toMatchObject({ records: 1, applied: 1, failed: 0, updates: 3, failures: [] });
    const firstFrom = (shard: number) =>
      logs[shard]?.find((g) => seconds(g.at) >= seconds(t0 - 40_000))?.cursor;
    expect(stored().slice(0, 2)).toEqual([firstFrom(0), firstFrom(1)]);
    // Shard 2 has nothing that recent: it is at its end, so its lag is 0 and the group's is shard 0's.
    expect(out.status.lagSeconds).toBeGreaterThanOrEqual(30);
  });

  it('exits 1 naming what SLS refused, when a seek does not land', async () => {
    const run = await cli(['seek', '--from', 'end', '--shard', '9', '--yes']);
    expect(run.code, run.output).toBe(1);
    expect(run.stdout).toContain('seek to end: did not land');
    expect(run.stdout).toMatch(/shard 9 of .* \(seek to end\): ShardNotExist/);
    expect(writes()).toHaveLength(0);
  });
});

describe('slscheckpoint set', () => {
  it('sets one shard to a cursor, as a consumer that must hold it unless forced', async () => {
    const cursor = logs[1]?.[1]?.cursor as string;
    const asStranger = await cli([
      'set',
      '--shard',
      '1',
      '--checkpoint',
      cursor,
      '--consumer',
      'nobody',
      '--yes',
    ]);
    expect(asStranger.code, asStranger.output).toBe(1);
    expect(asStranger.stdout).toMatch(/shard 1 of .* \(consumer nobody\): ConsumerNotExist/);

    const run = await cli(['set', '--shard', '1', '--checkpoint', cursor, '--yes', '--json']);
    expect(run.code, run.output).toBe(0);
    expect(stored()[1]).toBe(cursor);
    expect(writes().at(-1)?.query).toEqual({ type: 'checkpoint', forceSuccess: 'true' });
  });
});

describe('usage and configuration errors', () => {
  it('exits 2 for a bad value or option, before connecting', async () => {
    const [badFrom, badOption, badShard] = await Promise.all([
      cli(['seek', '--from', 'tomorrow', '--yes']),
      cli(['status', '--verbose']),
      cli(['set', '--shard', 'x', '--checkpoint', 'MTU=', '--yes']),
    ]);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toContain('--from must be "begin", "end", unix seconds, or an ISO-8601 time');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("unknown option '--verbose'");
    expect(badShard.code).toBe(2);
    expect(emulator.requests).toHaveLength(0);
  });

  it('exits 4 without an endpoint or without credentials, naming what is missing', async () => {
    const { SLS_ENDPOINT: _, ...noEndpoint } = laptopEnv();
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: __, ...noKeys } = laptopEnv();
    const { ALIBABA_CLOUD_ACCESS_KEY_SECRET: ___, ...halfKey } = laptopEnv();
    const [endpoint, keys, half] = await Promise.all([
      cli(['status'], { env: noEndpoint }),
      cli(['status'], { env: noKeys }),
      cli(['status'], { env: halfKey }),
    ]);
    expect(endpoint.code).toBe(4);
    expect(endpoint.stderr).toContain('SLS_ENDPOINT (--endpoint) is required');
    expect(keys.code).toBe(4);
    expect(keys.stderr).toContain('no credentials');
    expect(half.code).toBe(4);
    expect(half.stderr).toContain('field accessKeySecret is missing');
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('credentials from Secrets Manager', () => {
  const awsEnv = (secretId: string): NodeJS.ProcessEnv => {
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: _, ALIBABA_CLOUD_ACCESS_KEY_SECRET: __, ...env } = laptopEnv();
    return {
      ...env,
      SLS_CREDENTIALS_SECRET_ID: secretId,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    };
  };

  it('reads the functions’ secret, and exits 4 naming a secret that does not exist', async () => {
    const admin = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const name = `slscheckpoint/cli-${counter}`;
    await admin.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({
          accessKeyId: TEST_KEY.accessKeyId,
          accessKeySecret: TEST_KEY.accessKeySecret,
        }),
      }),
    );
    admin.destroy();
    const [ok, missing] = await Promise.all([
      cli(['status', '--json'], { env: awsEnv(name) }),
      cli(['status', '--json'], { env: awsEnv('slscheckpoint/no-such-secret') }),
    ]);
    expect(ok.code, ok.output).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ consumerGroup: GROUP });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/slscheckpoint\/no-such-secret/);
    expect(missing.stdout).toBe('');
    // The key never shows in what the CLI prints.
    expect(ok.output + missing.output).not.toContain(TEST_KEY.accessKeySecret);
  });
});
