/**
 * `osls package` of serverless.yml in a fresh copy of the service, and small readers for what it
 * writes: the CloudFormation templates and the function zips.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runProcess } from '../helpers/process.ts';
import { readZip, type ZipEntry } from './zip.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OSLS = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
/** The placeholders of the `test` stage in serverless.yml. */
export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slscheckpoint/test-AbCdEf';
export const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SERVICE_FILES = [
  'serverless.yml',
  'serverless-esbuild.json',
  'package.json',
  'tsconfig.json',
  'src',
  'lambda',
  'scripts/serverless',
];
/** A packaging takes about 5 s alone; several at once on a busy 2-core CI machine take longer. */
export const PACKAGING_TIMEOUT_MS = 150_000;

export interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Properties: Record<string, unknown>;
}

export interface Template {
  readonly Parameters?: Record<string, Record<string, unknown>>;
  readonly Resources: Record<string, Resource>;
  readonly Outputs: Record<string, { Value: unknown }>;
  readonly Conditions?: Record<string, unknown>;
}

export interface Statement {
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
}

interface PolicyDocument {
  readonly Statement: Statement[];
}

export interface Packaged {
  readonly stage: string;
  /** The service copy it was packaged in (serverless.yml, node_modules link). */
  readonly dir: string;
  /** The package folder: templates, zips, serverless-state.json (`osls deploy --package`). */
  readonly out: string;
  readonly templateText: string;
  readonly template: Template;
}

export interface PackageOptions {
  readonly stage: string;
  readonly args?: readonly string[];
  /** Changes serverless.yml in the copy first, as a user filling in their stage would. */
  readonly editServerlessYml?: (text: string) => string;
}

const workDirs: string[] = [];

/** A fresh temporary folder, removed by `removeWorkDirs()`. */
export function workDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `slscheckpoint-${prefix}-`));
  workDirs.push(dir);
  return dir;
}

export function removeWorkDirs(): void {
  for (const dir of workDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** An environment for osls with no AWS account: dummy credentials keep the SDK from looking further. */
export function offlineAwsEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'offline',
    AWS_SECRET_ACCESS_KEY: 'offline',
    AWS_EC2_METADATA_DISABLED: 'true',
    FORCE_COLOR: '0',
    ...extra,
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return env;
}

/** Runs `osls <args>` in a service folder with Node 24 (the one running the tests). */
export async function osls(
  dir: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return runProcess(process.execPath, [OSLS, ...args], {
    cwd: dir,
    env,
    timeoutMs: PACKAGING_TIMEOUT_MS - 5_000,
  });
}

/** Runs `osls package` in a fresh copy of the service; resolves with its output. */
export async function packageService(options: PackageOptions): Promise<Packaged> {
  const dir = workDir(`package-${options.stage}`);
  for (const file of SERVICE_FILES) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file), { recursive: true });
  }
  if (options.editServerlessYml !== undefined) {
    const file = join(dir, 'serverless.yml');
    writeFileSync(file, options.editServerlessYml(readFileSync(file, 'utf8')));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const out = join(dir, 'out');
  const args = ['package', '--stage', options.stage, '--package', out, ...(options.args ?? [])];
  const { code, output } = await osls(dir, args, offlineAwsEnv());
  if (code !== 0) throw new Error(`osls ${args.join(' ')} exited with ${code}:\n${output}`);

  const templateText = readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
  return { stage: options.stage, dir, out, templateText, template: JSON.parse(templateText) as Template };
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function resource(template: Template, logicalId: string, type: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`no resource ${logicalId} in the template`);
  expect(found.Type).toBe(type);
  return found;
}

export const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every IAM and resource-policy statement in the template, with the resource it belongs to. */
export function policyStatements(template: Template): { source: string; statement: Statement }[] {
  const found: { source: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const documents: PolicyDocument[] =
      r.Type === 'AWS::IAM::Role'
        ? ((r.Properties.Policies ?? []) as { PolicyDocument: PolicyDocument }[]).map((p) => p.PolicyDocument)
        : r.Properties.PolicyDocument !== undefined
          ? [r.Properties.PolicyDocument as PolicyDocument]
          : [];
    for (const document of documents) {
      for (const statement of document.Statement) found.push({ source: id, statement });
    }
  }
  return found;
}

/**
 * Whether CloudFormation would create `logicalId`: its condition evaluated as CloudFormation does,
 * with the values packaging wrote in (params) and the stack parameters' defaults.
 */
export function created(template: Template, logicalId: string): boolean {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`no resource ${logicalId} in the template`);
  return found.Condition === undefined || holds(template, found.Condition);
}

export function holds(template: Template, condition: string): boolean {
  const value = (expr: unknown): unknown => {
    const ref = (expr as { Ref?: string }).Ref;
    return ref === undefined ? expr : template.Parameters?.[ref]?.Default;
  };
  const evaluate = (expr: unknown): boolean => {
    const e = expr as Record<string, unknown[]> & { Condition?: string };
    if (e.Condition !== undefined) return holds(template, e.Condition);
    if (e['Fn::Equals']) return value(e['Fn::Equals'][0]) === value(e['Fn::Equals'][1]);
    if (e['Fn::Not']) return !evaluate(e['Fn::Not'][0]);
    if (e['Fn::And']) return e['Fn::And'].every(evaluate);
    if (e['Fn::Or']) return e['Fn::Or'].some(evaluate);
    throw new Error(`cannot evaluate ${JSON.stringify(expr)}`);
  };
  return evaluate(template.Conditions?.[condition]);
}

export function environmentOf(template: Template, logicalId: string): Record<string, string> {
  const fn = resource(template, logicalId, 'AWS::Lambda::Function');
  return (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
}

/** The zip CloudFormation deploys for a function (by its S3 key), read from the package folder. */
export function functionZip(packaged: Packaged, logicalId: string): { file: string; entries: ZipEntry[] } {
  const fn = resource(packaged.template, logicalId, 'AWS::Lambda::Function');
  const key = (fn.Properties.Code as { S3Key: string }).S3Key;
  const file = join(packaged.out, basename(key));
  return { file, entries: readZip(readFileSync(file)) };
}

/** The packagings the deploy tests share (made once, in package.test.ts). */
export interface Variants {
  /** The `test` stage as serverless.yml defines it (placeholders; the EventBridge rule on). */
  readonly test: Packaged;
  /**
   * The `test` stage with every switch the other way round, by `--param`: a customer-managed KMS
   * key, the rule off, a FIFO queue, each alarm and the dashboard off, lag metrics on, metrics
   * per function, an alarm topic.
   */
  readonly kms: Packaged;
  /**
   * The `dev` stage filled in under params.dev, as a user would: several heartbeat targets, and
   * metrics off (with lagMetrics on, which then has no effect).
   */
  readonly dev: Packaged;
  /** The `prod` stage, its required params given by `--param`. */
  readonly prod: Packaged;
}

/** What the `dev` variant puts under params.dev: several heartbeat targets and no single consumer. */
export const DEV_HEARTBEAT_TARGETS = [
  { consumerGroup: 'group-a', consumer: 'consumer-a' },
  { project: 'other-project', logstore: 'other-logstore', consumerGroup: 'group-b', consumer: 'consumer-b' },
];

/** serverless.yml with params.dev filled in as docs/deploy.md tells a user to. */
export function fillInDevStage(yml: string): string {
  const stage = '  dev:\n    logLevel: debug\n';
  if (!yml.includes(stage)) throw new Error('serverless.yml has no params.dev block as expected');
  return yml.replace(
    stage,
    `${stage}    slsEndpoint: cn-shanghai.log.aliyuncs.com
    slsProject: dev-project
    slsLogstore: dev-logstore
    slsConsumerGroup: dev-group
    # --param cannot carry an empty value; here it can.
    slsConsumer: ""
    execWrapper: ""
    metrics: "off"
    lagMetrics: "true"
    heartbeatTargets: '${JSON.stringify(DEV_HEARTBEAT_TARGETS)}'
    credentialsSecretArn: arn:aws:secretsmanager:eu-central-1:123456789012:secret:slscheckpoint/dev-AbCdEf
`,
  );
}

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:slscheckpoint-alarms';

/** The `kms` variant's params: every switch the other way round. */
export const KMS_VARIANT_PARAMS = [
  `--param=credentialsKmsKeyArn=${KMS_KEY_ARN}`,
  '--param=checkpointRuleEnabled=false',
  '--param=checkpointQueueType=fifo',
  // Standard-queue settings: a FIFO queue keeps its own limits (10 records, no window).
  '--param=checkpointBatchSize=1000',
  '--param=checkpointBatchingWindow=10',
  '--param=alarmDeadLetterQueue=false',
  '--param=alarmHeartbeatErrors=false',
  '--param=alarmHeartbeatMissed=false',
  '--param=alarmCheckpointFailures=false',
  '--param=dashboard=false',
  '--param=lagMetrics=true',
  '--param=metrics=function',
  `--param=alarmTopicArn=${TOPIC_ARN}`,
];

/** The required params of the `prod` variant, passed as `--param` the way docs/deploy.md shows. */
export const PROD_PARAMS = {
  slsEndpoint: 'cn-hangzhou.log.aliyuncs.com',
  slsProject: 'prod-project',
  slsLogstore: 'prod-logstore',
  slsConsumerGroup: 'prod-group',
  slsConsumer: 'prod-consumer',
  credentialsSecretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:slscheckpoint/prod-AbCdEf',
};

export const allVariants = (v: Variants): Packaged[] => [v.test, v.kms, v.dev, v.prod];
