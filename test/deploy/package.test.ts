import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpointConfig, loadHeartbeatConfig } from '../../src/config.ts';
import { runProcess } from '../helpers/process.ts';
import { readZip, type ZipEntry } from './zip.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OSLS = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
/** The placeholders of the `test` stage in serverless.yml. */
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slscheckpoint/test-AbCdEf';
const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SERVICE_FILES = ['serverless.yml', 'package.json', 'tsconfig.json', 'src', 'scripts/serverless'];
/** A packaging takes about 5 s alone; two at once on a busy 2-core CI machine take longer. */
const PACKAGING_TIMEOUT_MS = 120_000;
/** Far above today's bundles (about 1.1 MB each); catches a dependency pulled in by mistake. */
const MAX_BUNDLE_BYTES = 2 * 1024 * 1024;

interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly Properties: Record<string, unknown>;
}

interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Outputs: Record<string, { Value: unknown }>;
  readonly Conditions?: Record<string, unknown>;
}

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
}

interface PolicyDocument {
  readonly Statement: Statement[];
}

interface Packaged {
  readonly out: string;
  readonly templateText: string;
  readonly template: Template;
}

const workDirs: string[] = [];

/** Runs `osls package --stage test` in a fresh copy of the service; resolves with its output. */
async function packageService(extraArgs: readonly string[]): Promise<Packaged> {
  const dir = mkdtempSync(join(tmpdir(), 'slscheckpoint-package-'));
  workDirs.push(dir);
  for (const file of SERVICE_FILES) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const out = join(dir, 'out');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // No AWS account is used; dummy credentials keep any SDK from looking further (IMDS, SSO).
    AWS_ACCESS_KEY_ID: 'offline',
    AWS_SECRET_ACCESS_KEY: 'offline',
    AWS_EC2_METADATA_DISABLED: 'true',
    FORCE_COLOR: '0',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;

  // process.execPath is the Node 24 that runs the tests (osls and esbuild need no other).
  const { code, output } = await runProcess(
    process.execPath,
    [OSLS, 'package', '--stage', 'test', '--package', out, ...extraArgs],
    { cwd: dir, env, timeoutMs: PACKAGING_TIMEOUT_MS - 5_000 },
  );
  if (code !== 0) throw new Error(`osls package ${extraArgs.join(' ')} exited with ${code}:\n${output}`);

  const templateText = readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
  return { out, templateText, template: JSON.parse(templateText) as Template };
}

function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function resource(template: Template, logicalId: string, type: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`no resource ${logicalId} in the template`);
  expect(found.Type).toBe(type);
  return found;
}

const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every IAM statement in the template, with where it comes from. */
function iamStatements(template: Template): { source: string; statement: Statement }[] {
  const found: { source: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::IAM::Role') {
      const policies = (r.Properties.Policies ?? []) as { PolicyDocument: PolicyDocument }[];
      for (const policy of policies) {
        for (const statement of policy.PolicyDocument.Statement) found.push({ source: id, statement });
      }
    } else if (r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy') {
      for (const statement of (r.Properties.PolicyDocument as PolicyDocument).Statement) {
        found.push({ source: id, statement });
      }
    }
  }
  return found;
}

function environmentOf(template: Template, logicalId: string): Record<string, string> {
  const fn = resource(template, logicalId, 'AWS::Lambda::Function');
  return (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
}

/** The zip CloudFormation deploys for a function (by its S3 key), read from the package folder. */
function functionZip(packaged: Packaged, logicalId: string): { file: string; entries: ZipEntry[] } {
  const fn = resource(packaged.template, logicalId, 'AWS::Lambda::Function');
  const key = (fn.Properties.Code as { S3Key: string }).S3Key;
  const file = join(packaged.out, basename(key));
  return { file, entries: readZip(readFileSync(file)) };
}

/** Imports a bundle with Node 24 in a child process, as the Lambda runtime would at cold start. */
async function importBundle(file: string, env: Record<string, string>): Promise<string> {
  const probe =
    'const m = await import(process.argv[1]); console.log(JSON.stringify(Object.keys(m).sort()), typeof m.handler);';
  const { code, output } = await runProcess(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', probe, file],
    { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env } },
  );
  if (code !== 0) throw new Error(`importing ${file} failed (${code}):\n${output}`);
  return output.trim();
}

let base: Packaged;
let withKms: Packaged;

beforeAll(async () => {
  [base, withKms] = await Promise.all([
    packageService([]),
    packageService([
      `--param=credentialsKmsKeyArn=${KMS_KEY_ARN}`,
      '--param=checkpointRuleEnabled=false',
      '--param=checkpointQueueType=fifo',
      // Standard-queue settings: a FIFO queue keeps its own limits (10 records, no window).
      '--param=checkpointBatchSize=1000',
      '--param=checkpointBatchingWindow=10',
    ]),
  ]);
}, PACKAGING_TIMEOUT_MS);

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('serverless.yml packaged offline (osls + serverless-esbuild)', () => {
  it('resolves every variable (nothing needs AWS at packaging time)', () => {
    expect(base.templateText).not.toMatch(/\$\{(param|self|sls|opt|env|aws|strToBool):/);
    expect(base.templateText).not.toMatch(/\$\{(param|self|sls|opt|env|aws|strToBool)\(/);
  });

  it('deploys two functions on nodejs24.x, arm64, from their own ESM bundles', () => {
    const functions = resourcesOfType(base.template, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'CheckpointLambdaFunction',
      'HeartbeatLambdaFunction',
    ]);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
      });
    }
    expect(base.template.Resources.HeartbeatLambdaFunction?.Properties.Handler).toBe(
      'src/handlers/heartbeat.handler',
    );
    expect(base.template.Resources.CheckpointLambdaFunction?.Properties.Handler).toBe(
      'src/handlers/checkpoint.handler',
    );
  });

  describe('heartbeat', () => {
    it('never overlaps itself: timeout below the minute, reserved concurrency 1, no async retries', () => {
      const fn = resource(base.template, 'HeartbeatLambdaFunction', 'AWS::Lambda::Function');
      expect(fn.Properties.Timeout).toBe(50);
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
      const [, invokeConfig] = resourcesOfType(base.template, 'AWS::Lambda::EventInvokeConfig').find(
        ([, r]) =>
          JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: 'HeartbeatLambdaFunction' }),
      ) ?? [undefined, undefined];
      expect(invokeConfig?.Properties).toMatchObject({
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    it('is started every minute by EventBridge Scheduler, not retried, with a role that may only invoke it', () => {
      const schedules = resourcesOfType(base.template, 'AWS::Scheduler::Schedule');
      expect(schedules).toHaveLength(1);
      const [, schedule] = schedules[0] as [string, Resource];
      expect(schedule.Properties).toEqual({
        Description: expect.any(String),
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: getAtt('HeartbeatLambdaFunction'),
          RoleArn: getAtt('HeartbeatSchedulerRole'),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        },
      });

      const role = resource(base.template, 'HeartbeatSchedulerRole', 'AWS::IAM::Role');
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      });
      const statements = iamStatements(base.template).filter((s) => s.source === 'HeartbeatSchedulerRole');
      expect(statements.map((s) => s.statement)).toEqual([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt('HeartbeatLambdaFunction') },
      ]);
    });

    it('gets an environment its config accepts, and none of the checkpoint settings', () => {
      const env = environmentOf(base.template, 'HeartbeatLambdaFunction');
      expect(env).toMatchObject({
        SLS_CREDENTIALS_SECRET_ID: SECRET_ARN,
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(Object.keys(env).filter((k) => k.startsWith('CHECKPOINT_'))).toEqual([]);
      const config = loadHeartbeatConfig(env);
      expect(config).toMatchObject({ intervalMs: 20_000, secretId: SECRET_ARN });
      expect(config.targets).toEqual([
        {
          project: 'test-project',
          logstore: 'test-logstore',
          consumerGroup: 'test-group',
          consumer: 'test-consumer',
        },
      ]);
    });
  });

  describe('checkpoint', () => {
    it('reads its own SQS queue with partial batch responses', () => {
      const mappings = resourcesOfType(base.template, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      const [, mapping] = mappings[0] as [string, Resource];
      expect(mapping.Properties).toEqual({
        FunctionName: getAtt('CheckpointLambdaFunction'),
        EventSourceArn: getAtt('CheckpointQueue'),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 5,
        ScalingConfig: { MaximumConcurrency: 5 },
        Enabled: true,
      });
    });

    it('checkpointQueueType=fifo: FIFO queue and dead-letter queue, content deduplication, batches of 10', () => {
      const standard = resource(base.template, 'CheckpointQueue', 'AWS::SQS::Queue');
      const fifoQueue = resource(withKms.template, 'CheckpointQueue', 'AWS::SQS::Queue');
      const fifoDlq = resource(withKms.template, 'CheckpointDeadLetterQueue', 'AWS::SQS::Queue');
      expect(base.template.Conditions?.IsFifoCheckpointQueue).toEqual({ 'Fn::Equals': ['standard', 'fifo'] });
      expect(withKms.template.Conditions?.IsFifoCheckpointQueue).toEqual({ 'Fn::Equals': ['fifo', 'fifo'] });
      const whenFifo = { 'Fn::If': ['IsFifoCheckpointQueue', true, { Ref: 'AWS::NoValue' }] };
      for (const queue of [standard, fifoQueue, fifoDlq])
        expect(queue.Properties.FifoQueue).toEqual(whenFifo);
      expect(fifoQueue.Properties.ContentBasedDeduplication).toEqual(whenFifo);
      expect(standard.Properties.QueueName).toBe('slscheckpoint-test-checkpoint');
      expect(fifoQueue.Properties.QueueName).toBe('slscheckpoint-test-checkpoint.fifo');
      expect(fifoDlq.Properties.QueueName).toBe('slscheckpoint-test-checkpoint-dlq.fifo');
      const [, mapping] = resourcesOfType(withKms.template, 'AWS::Lambda::EventSourceMapping')[0] as [
        string,
        Resource,
      ];
      expect(mapping.Properties).toMatchObject({
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(mapping.Properties.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
    });

    it('has a dead-letter queue behind a redrive policy, and a visibility timeout of 6x its timeout', () => {
      const queue = resource(base.template, 'CheckpointQueue', 'AWS::SQS::Queue');
      const dlq = resource(base.template, 'CheckpointDeadLetterQueue', 'AWS::SQS::Queue');
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: getAtt('CheckpointDeadLetterQueue'),
        maxReceiveCount: 5,
      });
      const fn = resource(base.template, 'CheckpointLambdaFunction', 'AWS::Lambda::Function');
      const [, mapping] = resourcesOfType(base.template, 'AWS::Lambda::EventSourceMapping')[0] as [
        string,
        Resource,
      ];
      // AWS: at least six times the function timeout, plus the batching window.
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * (fn.Properties.Timeout as number) + (mapping.Properties.MaximumBatchingWindowInSeconds as number),
      );
      // A message keeps its place in the DLQ longer than it could ever wait in the queue.
      expect(dlq.Properties.MessageRetentionPeriod).toBe(1_209_600);
      expect(dlq.Properties.MessageRetentionPeriod as number).toBeGreaterThan(
        queue.Properties.MessageRetentionPeriod as number,
      );
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      expect(dlq.Properties.SqsManagedSseEnabled).toBe(true);
    });

    it('outputs the queue and dead-letter queue URLs and ARNs', () => {
      expect(base.template.Outputs).toMatchObject({
        CheckpointQueueUrl: { Value: { Ref: 'CheckpointQueue' } },
        CheckpointQueueArn: { Value: getAtt('CheckpointQueue') },
        CheckpointDeadLetterQueueUrl: { Value: { Ref: 'CheckpointDeadLetterQueue' } },
        CheckpointDeadLetterQueueArn: { Value: getAtt('CheckpointDeadLetterQueue') },
      });
    });

    it('has an EventBridge rule on the custom source, switched by the checkpointRuleEnabled param', () => {
      const [[, rule] = [], ...others] = resourcesOfType(base.template, 'AWS::Events::Rule');
      expect(others).toEqual([]);
      expect(rule?.Properties).toMatchObject({
        State: 'ENABLED',
        EventPattern: { source: ['slscheckpoint'], 'detail-type': ['SLS checkpoint'] },
        Targets: [
          { Arn: getAtt('CheckpointLambdaFunction'), RetryPolicy: { MaximumEventAgeInSeconds: 600 } },
        ],
      });
      const [[, disabled] = []] = resourcesOfType(withKms.template, 'AWS::Events::Rule');
      expect(disabled?.Properties.State).toBe('DISABLED');
    });

    it('retries failed async (EventBridge, direct) invocations while fresh, then keeps them in a queue', () => {
      const [, invokeConfig] = resourcesOfType(base.template, 'AWS::Lambda::EventInvokeConfig').find(
        ([, r]) =>
          JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: 'CheckpointLambdaFunction' }),
      ) ?? [undefined, undefined];
      expect(invokeConfig?.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 600,
        DestinationConfig: { OnFailure: { Destination: getAtt('CheckpointFailedEventsQueue') } },
      });
      resource(base.template, 'CheckpointFailedEventsQueue', 'AWS::SQS::Queue');
    });

    it('gets an environment its config accepts, and none of the heartbeat settings', () => {
      const env = environmentOf(base.template, 'CheckpointLambdaFunction');
      expect(Object.keys(env).filter((k) => k.startsWith('HEARTBEAT_') || k === 'SLS_CONSUMER')).toEqual([]);
      expect(loadCheckpointConfig(env)).toMatchObject({
        secretId: SECRET_ARN,
        concurrency: 32,
        monotonic: false,
      });
    });
  });

  describe('IAM', () => {
    it('grants nothing on Resource "*" and no wildcard actions', () => {
      for (const template of [base.template, withKms.template]) {
        for (const { source, statement } of iamStatements(template)) {
          const where = `${source}: ${JSON.stringify(statement)}`;
          expect(asArray(statement.Resource), where).not.toContain('*');
          for (const action of asArray(statement.Action)) expect(action, where).not.toMatch(/(^|:)\*$/);
        }
      }
    });

    it("gives the functions' role exactly: their logs, the one secret, the queues it reads and writes", () => {
      const statements = iamStatements(base.template).filter((s) => s.source === 'IamRoleLambdaExecution');
      const actions = statements.flatMap((s) => asArray(s.statement.Action)).sort();
      expect(actions).toEqual([
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:TagResource',
        'secretsmanager:GetSecretValue',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ]);
      for (const { statement } of statements) {
        const actionsOf = asArray(statement.Action);
        if (actionsOf.some((a) => a.startsWith('secretsmanager:'))) {
          expect(actionsOf).toEqual(['secretsmanager:GetSecretValue']);
          expect(asArray(statement.Resource)).toEqual([SECRET_ARN]);
        } else if (actionsOf.includes('sqs:SendMessage')) {
          // The on-failure destination of async checkpoint invocations, nothing else.
          expect(actionsOf).toEqual(['sqs:SendMessage']);
          expect(asArray(statement.Resource)).toEqual([getAtt('CheckpointFailedEventsQueue')]);
        } else if (actionsOf.some((a) => a.startsWith('sqs:'))) {
          expect(asArray(statement.Resource)).toEqual([getAtt('CheckpointQueue')]);
        } else {
          // The framework's logs statements: this service's own log groups only.
          for (const r of asArray(statement.Resource)) {
            expect((r as { 'Fn::Sub': string })['Fn::Sub']).toMatch(
              /^arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:\/aws\/lambda\/slscheckpoint-test\*:/,
            );
          }
        }
      }
      const role = resource(base.template, 'IamRoleLambdaExecution', 'AWS::IAM::Role');
      expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
        ],
      });
    });

    it('adds kms:Decrypt on the one key, through Secrets Manager only, when credentialsKmsKeyArn is set', () => {
      const attach = [
        {
          'Fn::If': ['HasCredentialsKmsKey', { Ref: 'CredentialsKmsDecryptPolicy' }, { Ref: 'AWS::NoValue' }],
        },
      ];
      for (const { template } of [base, withKms]) {
        expect(
          resource(template, 'IamRoleLambdaExecution', 'AWS::IAM::Role').Properties.ManagedPolicyArns,
        ).toEqual(attach);
        expect(resource(template, 'CredentialsKmsDecryptPolicy', 'AWS::IAM::ManagedPolicy').Condition).toBe(
          'HasCredentialsKmsKey',
        );
      }
      // Without the param the condition is false, so the policy is not created.
      expect(base.template.Conditions?.HasCredentialsKmsKey).toEqual({
        'Fn::Not': [{ 'Fn::Equals': ['', ''] }],
      });
      expect(withKms.template.Conditions?.HasCredentialsKmsKey).toEqual({
        'Fn::Not': [{ 'Fn::Equals': [KMS_KEY_ARN, ''] }],
      });
      const kms = iamStatements(withKms.template).filter((s) => s.source === 'CredentialsKmsDecryptPolicy');
      expect(kms.map((s) => s.statement)).toEqual([
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KMS_KEY_ARN,
          Condition: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
            StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } },
          },
        },
      ]);
    });
  });

  describe('artifacts', () => {
    const functions = [
      { id: 'HeartbeatLambdaFunction', name: 'heartbeat', other: 'checkpoint' },
      { id: 'CheckpointLambdaFunction', name: 'checkpoint', other: 'heartbeat' },
    ] as const;

    it.each(functions)('the $name zip holds its own bundle and source map only', ({ id, name, other }) => {
      const { file, entries } = functionZip(base, id);
      expect(entries.map((e) => e.name).sort()).toEqual([
        `src/handlers/${name}.mjs`,
        `src/handlers/${name}.mjs.map`,
      ]);
      const bundleEntry = entries.find((e) => e.name.endsWith('.mjs'));
      const bytes = bundleEntry?.read() ?? Buffer.alloc(0);
      expect(bytes.length).toBe(bundleEntry?.size);
      const bundle = bytes.toString('utf8');
      expect(bundleEntry?.size).toBeLessThan(MAX_BUNDLE_BYTES);
      // ESM with a `require` for the CommonJS dependencies; minified; linked to its map.
      expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
      expect(bundle.trimEnd().endsWith(`//# sourceMappingURL=${name}.mjs.map`)).toBe(true);
      // Minified: the handler module's local names are gone.
      expect(bundle).not.toContain('handlerFromEnv');
      // Its own handler's log events, not the other function's.
      expect(bundle).toContain(`${name}.summary`);
      expect(bundle).not.toContain(`${other}.summary`);
      const map = JSON.parse(
        entries
          .find((e) => e.name.endsWith('.map'))
          ?.read()
          .toString('utf8') ?? '{}',
      ) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(map.sources).toContainEqual(expect.stringMatching(new RegExp(`src/handlers/${name}\\.ts$`)));
      expect(map.sources.filter((s) => s.includes(`src/handlers/${other}.ts`))).toEqual([]);
      expect(map.sourcesContent).toBeUndefined();

      const mapEntry = entries.find((e) => e.name.endsWith('.map'));
      console.info(
        `${name}: ${basename(file)} ${readFileSync(file).length} bytes; ${name}.mjs ${bundleEntry?.size} bytes, ` +
          `${name}.mjs.map ${mapEntry?.size} bytes`,
      );
    });

    it.each(functions)('the $name bundle loads on Node 24 and exports its handler', async ({ id, name }) => {
      const { entries } = functionZip(base, id);
      const dir = mkdtempSync(join(tmpdir(), `slscheckpoint-${name}-`));
      workDirs.push(dir);
      for (const entry of entries) {
        mkdirSync(dirname(join(dir, entry.name)), { recursive: true });
        writeFileSync(join(dir, entry.name), entry.read());
      }
      const output = await importBundle(
        join(dir, `src/handlers/${name}.mjs`),
        environmentOf(base.template, id),
      );
      expect(output).toMatch(/"handler".* function$/);
    });
  });
});
