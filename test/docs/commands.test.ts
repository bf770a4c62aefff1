/**
 * Every command the README and docs/ tell a user to run is accounted for: run here as written
 * (the AWS CLI ones against moto), run by CI or test/deploy, or named with the reason it cannot
 * run offline. A command added to the docs without an entry below fails the first test.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer } from '../../scripts/local/moto.ts';
import { parseCommand, parseCommandBody } from '../../src/checkpoint/command.ts';
import { type ProcessResult, runProcess } from '../helpers/process.ts';
import { documentedCommands, shellBlock } from './markdown.ts';

/** The FIFO producer example, its continuation lines joined. */
const FIFO_SEND =
  'aws sqs send-message --queue-url "$CHECKPOINT_QUEUE_URL" --message-group-id "my-project/my-logstore/my-group/3" ' +
  '--message-body \'{"shard":3,"checkpoint":"MTUyNDE1NTM3OTM3MzkwODQ5Ng=="}\'';

/** The operations page's seek through the queue, a standard one. */
const SEEK_SEND =
  'aws sqs send-message --queue-url "$CHECKPOINT_QUEUE_URL" --message-body \'{"shard":"*","from":"end"}\'';
const SEEK_PAYLOAD = 'echo \'{"shard":"*","from":"2026-11-23T10:00:00+08:00"}\' > seek.json';
const STATUS_PAYLOAD = 'echo \'{"action":"status"}\' > status-request.json';

const CI = 'CI runs it (.ci/run)';
const NO_LAMBDA = 'not run: moto runs Lambda code only in Docker, which is not here';
const CLI_TEST = 'test/integration/cli.test.ts runs the bin with these arguments against the emulator';
const HERE = 'run below';
const DEPLOY_TEST = 'test/deploy runs it for the test stage against moto (prod needs your params)';
const V4 = 'not run: Serverless v4 fetches its binary from serverless.com and needs an account';
const NAMED = 'named as what not to use; the bins test below shows why';

/** How each documented command is checked. Script blocks (loops) are keyed by their first line. */
const COMMANDS: Record<string, string> = {
  'npm ci': CI,
  'npm test': CI,
  'npm start': HERE,
  'npm run emulator': HERE,
  'npm run emulator -- --port 9000 --shards 4': HERE,
  'npm run emulator -- --port 9000 --shards 4 --rtt 250 --jitter 25 --setup 500': HERE,
  'npm run bench -- --rtt 250': 'run below as --rtt 5 checkpoint (250 ms takes minutes)',
  'npm run bench': HERE,
  'npm run bench -- signing': HERE,
  'npm run build': HERE,
  'npm run package': 'test/deploy runs its osls package --stage test, in a copy of the service',
  'npx osls': DEPLOY_TEST,
  'npx osls package --stage prod': 'test/deploy packages prod, its required params given by --param',
  'npx osls deploy --stage prod --region eu-central-1': DEPLOY_TEST,
  'npx osls info --stage prod --verbose': DEPLOY_TEST,
  'npx osls remove --stage prod': DEPLOY_TEST,
  'osls deploy': DEPLOY_TEST,
  'npx serverless': NAMED,
  'npx sls': NAMED,
  'aws secretsmanager create-secret --name slscheckpoint/prod --secret-string file://sls-credentials.json':
    HERE,
  'for name in checkpoint checkpoint-dlq checkpoint-failed-events; do': HERE,
  'echo \'[{"shard": 0, "checkpoint": "MTU="}]\' > commands.json': HERE,
  'aws lambda invoke --function-name slscheckpoint-prod-checkpoint --payload fileb://commands.json out.json':
    NO_LAMBDA,
  [SEEK_PAYLOAD]: HERE,
  'aws lambda invoke --function-name slscheckpoint-prod-checkpoint --payload fileb://seek.json out.json':
    NO_LAMBDA,
  [SEEK_SEND]: HERE,
  [STATUS_PAYLOAD]: HERE,
  'aws lambda invoke --function-name slscheckpoint-prod-checkpoint --payload fileb://status-request.json status.json':
    NO_LAMBDA,
  'export SLS_ENDPOINT=cn-hangzhou.log.aliyuncs.com SLS_PROJECT=my-project SLS_LOGSTORE=my-logstore SLS_CONSUMER_GROUP=my-group':
    'sets the variables the CLI reads; test/integration/cli.test.ts passes them in its environment',
  'export AWS_PROFILE=ops SLS_CREDENTIALS_SECRET_ID=slscheckpoint/prod':
    'names your AWS profile; test/integration/cli.test.ts reads a secret from moto the same way',
  'npx slscheckpoint --help': HERE,
  'npx slscheckpoint status': CLI_TEST,
  "npx slscheckpoint status --json | jq '.lagSeconds'": `${CLI_TEST} (the JSON; jq is yours)`,
  'npx slscheckpoint seek --from 2026-11-23T10:00:00+08:00': `${CLI_TEST} (an ISO time, with and without --yes)`,
  'npx slscheckpoint seek --from end --shard 3 --yes': CLI_TEST,
  'npx slscheckpoint set --shard 3 --checkpoint MTUyNDE1NTM3OTM3MzkwODQ5Ng== --yes': CLI_TEST,
  'npx slscheckpoint status | seek | set': 'the synopsis of the commands above',
  npx: 'names npx itself, which runs the project bin',
  'aws sqs receive-message --queue-url <url>': 'a standard AWS CLI read, for a queue the clean-up kept',
  'aws sqs receive-message': 'a standard AWS CLI read, named in the alarms table',
  'aws sqs start-message-move-task': 'named in the alarms table (SQS redrive); moto has no such operation',
  [FIFO_SEND]: HERE,
  'aws sqs delete-queue --queue-url <url>': 'the clean-up block below runs this command',
  'npm install --global serverless@4': V4,
  'serverless deploy --stage prod --region eu-central-1': V4,
  'serverless deploy --stage prod': V4,
  'serverless info --stage prod --verbose': V4,
  'serverless remove --stage prod': V4,
  'serverless login': V4,
};

const DEFAULTS = { project: 'my-project', logstore: 'my-logstore', consumerGroup: 'my-group' };

/** Runs an npm command line; `until` ends it (SIGTERM) once the output matches. */
function npm(args: string[], options: { until?: RegExp; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return runProcess('npm', args, { env: { ...process.env, CI: 'true' }, ...options });
}

describe('documented commands', () => {
  it('are each run here, by CI or by test/deploy, or named with the reason they cannot run offline', () => {
    const documented = documentedCommands();
    const unknown = [...documented]
      .filter(([command]) => !(command in COMMANDS))
      .map(([c, f]) => `${f}: ${c}`);
    expect(unknown).toEqual([]);
    // And no entry outlives its command.
    expect(Object.keys(COMMANDS).filter((command) => !documented.has(command))).toEqual([]);
  });

  it('npx serverless and npx sls run osls in this project, so v4 users run a global serverless', () => {
    const osls = realpathSync('node_modules/osls/bin/serverless.js');
    for (const bin of ['osls', 'serverless', 'sls'])
      expect(realpathSync(`node_modules/.bin/${bin}`)).toBe(osls);
  });

  it('npm start runs the whole local demo and exits 0', async () => {
    const run = await npm(['start']);
    expect(run.output).toContain('All as expected');
    expect(run.code).toBe(0);
  });

  it('npm run emulator serves until stopped', async () => {
    const run = await npm(['run', 'emulator', '--', '--port', '0', '--shards', '4'], {
      until: /Ctrl-C stops it/,
    });
    expect(run.output).toMatch(/SLS emulator listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('npx slscheckpoint --help runs the operator CLI from the checkout', async () => {
    const run = await runProcess('npx', ['slscheckpoint', '--help'], { env: { ...process.env, CI: 'true' } });
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toMatch(/Usage: slscheckpoint \[options\] \[command\]/);
  });

  it('npm run emulator --rtt serves at a distance until stopped', async () => {
    const args = ['--port', '0', '--shards', '4', '--rtt', '250', '--jitter', '25', '--setup', '500'];
    const run = await npm(['run', 'emulator', '--', ...args], { until: /Ctrl-C stops it/ });
    expect(run.output).toContain('latency: round trip 250 ms ± 25 ms per half, 500 ms per new connection');
  });

  it('npm run bench -- --rtt runs the distance profile (its checkpoint tables at 5 ms here)', async () => {
    const run = await npm(['run', 'bench', '--', '--rtt', '5', 'checkpoint']);
    expect(run.output).toContain('distance profile: SLS at 5 ms round trip');
    expect(run.output).toMatch(/\| 10000 +\| 64 +\| 32 +\| 64 +\| 0 +\| 32 +\|/);
    expect(run.code).toBe(0);
  });

  it('npm run bench runs (one quick benchmark here)', async () => {
    const run = await npm(['run', 'bench', '--', 'signing']);
    expect(run.output).toContain('signatures/s');
    expect(run.code).toBe(0);
  });

  it('npm run build compiles to dist/', async () => {
    try {
      const run = await npm(['run', 'build']);
      expect(run.code, run.output).toBe(0);
      expect(readFileSync('dist/handlers/checkpoint.js', 'utf8')).toContain('createCheckpointHandler');
    } finally {
      rmSync('dist', { recursive: true, force: true });
    }
  });
});

describe('documented AWS CLI commands, against moto', () => {
  let moto: Awaited<ReturnType<typeof startMotoServer>>;
  let dir: string;
  const aws = { region: 'us-east-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };

  beforeAll(async () => {
    // Its own moto_server: the shared one is reset by other test files.
    moto = await startMotoServer();
    dir = mkdtempSync(join(tmpdir(), 'slscheckpoint-docs-'));
  });

  afterAll(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs shell text with the AWS CLI pointed at moto (no profile or config of this machine). */
  function shell(script: string, extraEnv: Record<string, string> = {}): Promise<ProcessResult> {
    const env = {
      ...extraEnv,
      PATH: process.env.PATH ?? '',
      HOME: dir,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'moto',
      AWS_SECRET_ACCESS_KEY: 'moto',
      AWS_DEFAULT_REGION: aws.region,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    };
    // AWS CLI v1 ignores AWS_ENDPOINT_URL for SQS (it pins SQS's own host names), so `aws` also
    // gets the endpoint as --endpoint-url; the documented lines run unchanged.
    const withEndpoint = `aws() { command aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }\n${script}`;
    return runProcess('bash', ['-euo', 'pipefail', '-c', withEndpoint], { cwd: dir, env, timeoutMs: 60_000 });
  }

  it('creating the secret from a file stores the JSON the functions read, under an ARN with a suffix', async () => {
    const command = Object.keys(COMMANDS).find((c) => c.startsWith('aws secretsmanager create-secret')) ?? '';
    const secret = { accessKeyId: 'LTAIdocsKey', accessKeySecret: 'docs-secret' };
    writeFileSync(join(dir, 'sls-credentials.json'), JSON.stringify(secret));
    const run = await shell(command);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(
      /"ARN": "arn:aws:secretsmanager:us-east-1:\d{12}:secret:slscheckpoint\/prod-[A-Za-z0-9]{6}"/,
    );
    const client = new SecretsManagerClient({ ...aws, endpoint: moto.endpoint });
    const stored = await client.send(new GetSecretValueCommand({ SecretId: 'slscheckpoint/prod' }));
    expect(JSON.parse(stored.SecretString ?? '')).toEqual(secret);
  });

  it('the queue clean-up after remove deletes the empty queues and keeps the one with a message', async () => {
    const sqs = new SQSClient({ ...aws, endpoint: moto.endpoint });
    const create = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
    for (const name of ['checkpoint', 'checkpoint-failed-events']) await create(`slscheckpoint-prod-${name}`);
    await create('another-queue');
    const dlq = await create('slscheckpoint-prod-checkpoint-dlq');
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: '{"shard":0,"checkpoint":"MTU="}' }));

    const run = await shell(shellBlock('for name in checkpoint checkpoint-dlq checkpoint-failed-events; do'));
    expect(run.code, run.output).toBe(0);
    expect(run.output.trim().split('\n')).toEqual([
      'checkpoint: deleted',
      'checkpoint-dlq: 1 messages left, kept',
      'checkpoint-failed-events: deleted',
    ]);
    const left = await sqs.send(new ListQueuesCommand({}));
    expect(left.QueueUrls?.map((url) => url.split('/').at(-1)).sort()).toEqual([
      'another-queue',
      'slscheckpoint-prod-checkpoint-dlq',
    ]);
  });

  it('the FIFO producer example sends one command with the shard as its message group', async () => {
    const sqs = new SQSClient({ ...aws, endpoint: moto.endpoint });
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'slscheckpoint-prod-checkpoint.fifo',
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const run = await shell(shellBlock('aws sqs send-message'), { CHECKPOINT_QUEUE_URL: QueueUrl ?? '' });
    expect(run.code, run.output).toBe(0);
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageSystemAttributeNames: ['MessageGroupId'],
        WaitTimeSeconds: 0,
      }),
    );
    expect(received.Messages?.map((m) => [m.Attributes?.MessageGroupId, JSON.parse(m.Body ?? '')])).toEqual([
      ['my-project/my-logstore/my-group/3', { shard: 3, checkpoint: 'MTUyNDE1NTM3OTM3MzkwODQ5Ng==' }],
    ]);
  });

  it('the seek sent through the queue is one command that seeks every shard to the end', async () => {
    const sqs = new SQSClient({ ...aws, endpoint: moto.endpoint });
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'slscheckpoint-prod-checkpoint' }),
    );
    const run = await shell(SEEK_SEND, { CHECKPOINT_QUEUE_URL: QueueUrl ?? '' });
    expect(run.code, run.output).toBe(0);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    const bodies = received.Messages?.map((m) => parseCommandBody(m.Body, DEFAULTS)) ?? [];
    expect(bodies).toMatchObject([{ ok: true, command: { shard: '*', from: 'end' } }]);
  });

  it('the operations payload files hold a valid seek command and the status action', async () => {
    for (const line of [SEEK_PAYLOAD, STATUS_PAYLOAD]) expect((await shell(line)).code).toBe(0);
    const seek = parseCommand(JSON.parse(readFileSync(join(dir, 'seek.json'), 'utf8')), DEFAULTS);
    expect(seek.ok, JSON.stringify(seek)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'status-request.json'), 'utf8'))).toEqual({ action: 'status' });
  });

  it('the direct-invoke payload file holds the JSON array of commands', async () => {
    const run = await shell(Object.keys(COMMANDS).find((c) => c.startsWith('echo ')) ?? '');
    expect(run.code, run.output).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'commands.json'), 'utf8'))).toEqual([
      { shard: 0, checkpoint: 'MTU=' },
    ]);
  });
});
