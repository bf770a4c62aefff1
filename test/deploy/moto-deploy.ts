/**
 * The packaged stack deployed to moto's CloudFormation with the osls commands a user runs, then
 * read back with the AWS SDK: `deploy` (create the stack, upload the zips, update it), a second
 * `deploy` that changes it, and `remove`, which must leave the queues and their messages.
 *
 * moto creates most of the stack. The resource types it does not are in MOTO_GAPS; the test checks
 * that exactly those are missing, so a moto that learns one shows up here. Beyond them moto also ignores a
 * function's `Architectures` (it reports x86_64), a role's `ManagedPolicyArns`, returns no stack
 * outputs after a change-set deploy (osls deploys with change sets), and updates a queue in place
 * where AWS replaces it (a new name, FifoQueue), so checkpointQueueType=fifo creates no FIFO queue
 * here and UpdateReplacePolicy cannot be seen at work.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetPolicyCommand as GetIamPolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  GetFunctionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer } from '../../scripts/local/moto.ts';
import {
  created,
  environmentOf,
  functionZip,
  KMS_KEY_ARN,
  offlineAwsEnv,
  osls,
  PACKAGING_TIMEOUT_MS,
  type Packaged,
  SECRET_ARN,
  type Variants,
} from './packaging.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const STACK = 'slscheckpoint-test';
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** Resource types moto's CloudFormation does not create (it logs "No Moto CloudFormation support"). */
const MOTO_GAPS = [
  'AWS::S3::BucketPolicy',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::SQS::QueuePolicy',
  'AWS::Scheduler::Schedule',
  'AWS::CloudWatch::Alarm',
];

/** Registers the moto deploy tests (they run in order: deploy, update, remove). */
export function describeMotoDeploy(variants: () => Variants): void {
  let test: Packaged;
  let kms: Packaged;
  let moto: Awaited<ReturnType<typeof startMotoServer>>;
  let env: NodeJS.ProcessEnv;
  let clients: ReturnType<typeof awsClients>;

  beforeAll(async () => {
    ({ test, kms } = variants());
    // Its own moto_server: the shared one is reset by other test files.
    moto = await startMotoServer();
    env = offlineAwsEnv({
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: REGION,
      SLS_AWS_MONITORING_FREQUENCY: '200',
    });
    clients = awsClients(moto.endpoint);
  });

  afterAll(async () => {
    await moto?.stop();
  });

  async function run(packaged: Packaged, args: string[]): Promise<string> {
    const { code, output } = await osls(packaged.dir, [...args, '--stage', 'test'], env);
    expect(code, output).toBe(0);
    return output;
  }

  const queueUrl = async (name: string) =>
    (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  const queueAttributes = async (name: string) =>
    (
      await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: await queueUrl(name), AttributeNames: ['All'] }),
      )
    ).Attributes ?? {};

  describe('deployed to moto (osls deploy, deploy again, remove)', () => {
    it(
      'osls deploy creates the stack, uploads the zips and updates it: all but the moto gaps created',
      async () => {
        expect(await run(test, ['deploy', '--package', test.out])).toContain(
          `Service deployed to stack ${STACK}`,
        );
        const [stack] =
          (await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks ?? [];
        // Created with the bucket only, then updated with the functions: UPDATE_COMPLETE.
        expect(stack?.StackStatus).toBe('UPDATE_COMPLETE');

        const resources =
          (await clients.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: STACK })))
            .StackResources ?? [];
        const made = resources.filter((r) => r.LogicalResourceId !== undefined);
        for (const r of made) expect(r.ResourceStatus, r.LogicalResourceId).toMatch(/_COMPLETE$/);
        // Those whose condition holds (no KMS key: no decrypt policy; lag alarm off by default).
        const wanted = Object.entries(test.template.Resources).filter(([id]) => created(test.template, id));
        const expected = wanted.filter(([, r]) => !MOTO_GAPS.includes(r.Type)).map(([id]) => id);
        expect(made.map((r) => r.LogicalResourceId).sort()).toEqual(expected.sort());
        // Every gap is still one this stack runs into.
        for (const type of MOTO_GAPS) expect(wanted.map(([, r]) => r.Type)).toContain(type);
      },
      PACKAGING_TIMEOUT_MS,
    );

    it('osls info --verbose finds the stack (moto lists no outputs after a change-set deploy)', async () => {
      expect(await run(test, ['info', '--verbose'])).toMatch(new RegExp(`stack: ${STACK}\\b`));
    });

    it.each([
      { id: 'HeartbeatLambdaFunction', name: 'heartbeat', timeout: 50, reserved: 1 },
      { id: 'CheckpointLambdaFunction', name: 'checkpoint', timeout: 30, reserved: undefined },
    ])(
      'runs $name from its uploaded zip, with the packaged settings',
      async ({ id, name, timeout, reserved }) => {
        const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: `${STACK}-${name}` }));
        const zip = readFileSync(functionZip(test, id).file);
        expect(fn.Configuration).toMatchObject({
          CodeSha256: createHash('sha256').update(zip).digest('base64'),
          Runtime: 'nodejs24.x',
          Handler: `src/handlers/${name}.handler`,
          MemorySize: 256,
          Timeout: timeout,
          Role: `arn:aws:iam::${ACCOUNT}:role/${STACK}-${REGION}-lambdaRole`,
          Environment: { Variables: environmentOf(test.template, id) },
        });
        expect(fn.Concurrency?.ReservedConcurrentExecutions).toBe(reserved);
      },
    );

    it('feeds checkpoint from its queue, whose redrive policy ends in the dead-letter queue', async () => {
      const mappings = await clients.lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: arn('lambda', `function:${STACK}-checkpoint`) }),
      );
      expect(mappings.EventSourceMappings).toMatchObject([
        {
          EventSourceArn: arn('sqs', `${STACK}-checkpoint`),
          BatchSize: 100,
          MaximumBatchingWindowInSeconds: 5,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 5 },
          State: 'Enabled',
        },
      ]);
      const queue = await queueAttributes(`${STACK}-checkpoint`);
      expect(queue).toMatchObject({ VisibilityTimeout: '190', MessageRetentionPeriod: '345600' });
      expect(JSON.parse(queue.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: arn('sqs', `${STACK}-checkpoint-dlq`),
        maxReceiveCount: 5,
      });
      for (const name of [`${STACK}-checkpoint-dlq`, `${STACK}-checkpoint-failed-events`]) {
        expect(await queueAttributes(name)).toMatchObject({ MessageRetentionPeriod: '1209600' });
      }
    });

    it('routes EventBridge events to checkpoint, keeping what it cannot deliver in the failed-events queue', async () => {
      const rule = await clients.events.send(new DescribeRuleCommand({ Name: `${STACK}-checkpoint` }));
      expect(rule).toMatchObject({ State: 'ENABLED', Arn: arn('events', `rule/${STACK}-checkpoint`) });
      expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual({
        source: ['slscheckpoint'],
        'detail-type': ['SLS checkpoint'],
      });
      const { Targets } = await clients.events.send(
        new ListTargetsByRuleCommand({ Rule: `${STACK}-checkpoint` }),
      );
      expect(Targets).toMatchObject([
        {
          Arn: arn('lambda', `function:${STACK}-checkpoint`),
          RetryPolicy: { MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: arn('sqs', `${STACK}-checkpoint-failed-events`) },
        },
      ]);
      const policy = await clients.lambda.send(new GetPolicyCommand({ FunctionName: `${STACK}-checkpoint` }));
      expect(JSON.parse(policy.Policy ?? '{}').Statement).toMatchObject([
        {
          Action: 'lambda:InvokeFunction',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnLike: { 'AWS:SourceArn': rule.Arn } },
        },
      ]);
    });

    it("gives the functions' role the secret and the queues, with every ARN resolved", async () => {
      const { PolicyDocument } = await clients.iam.send(
        new GetRolePolicyCommand({
          RoleName: `${STACK}-${REGION}-lambdaRole`,
          PolicyName: `${STACK}-lambda`,
        }),
      );
      // moto returns the document URL-encoded, in Python's repr (single quotes).
      const statements = JSON.parse(decodeURIComponent(PolicyDocument ?? '').replaceAll("'", '"'))
        .Statement as {
        Action: string | string[];
        Resource: string | string[];
      }[];
      const byAction = Object.fromEntries(
        statements.map((s) => [[s.Action].flat().sort().join(','), s.Resource]),
      );
      expect(byAction).toMatchObject({
        'secretsmanager:GetSecretValue': SECRET_ARN,
        'sqs:SendMessage': arn('sqs', `${STACK}-checkpoint-failed-events`),
        'sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:ReceiveMessage': [arn('sqs', `${STACK}-checkpoint`)],
      });
    });

    it(
      'a second osls deploy updates the stack: the KMS grant appears, the rule is off, batches of 10',
      async () => {
        await run(kms, ['deploy', '--package', kms.out]);
        const [stack] =
          (await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks ?? [];
        expect(stack?.StackStatus).toBe('UPDATE_COMPLETE');
        expect(stack?.Parameters).toContainEqual({
          ParameterKey: 'CredentialsKmsKeyArn',
          ParameterValue: KMS_KEY_ARN,
        });

        const resources =
          (await clients.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: STACK })))
            .StackResources ?? [];
        const policyArn = resources.find(
          (r) => r.LogicalResourceId === 'CredentialsKmsDecryptPolicy',
        )?.PhysicalResourceId;
        expect(policyArn).toMatch(/^arn:aws:iam::123456789012:policy\//);
        const policy = await clients.iam.send(new GetIamPolicyCommand({ PolicyArn: policyArn }));
        expect(policy.Policy?.Description).toBe(
          'Decrypt the SLS credentials secret through Secrets Manager only',
        );

        const rule = await clients.events.send(new DescribeRuleCommand({ Name: `${STACK}-checkpoint` }));
        expect(rule.State).toBe('DISABLED');

        // checkpointQueueType=fifo: the mapping takes batches of 10 (moto keeps the queues as they
        // were, see above).
        const mappings = await clients.lambda.send(
          new ListEventSourceMappingsCommand({ FunctionName: arn('lambda', `function:${STACK}-checkpoint`) }),
        );
        expect(mappings.EventSourceMappings).toMatchObject([{ BatchSize: 10 }]);
      },
      PACKAGING_TIMEOUT_MS,
    );

    it(
      'osls remove deletes the stack and the functions but keeps the queues, messages and all',
      async () => {
        // In the dead-letter queue: moto would hand a message in the main queue to the function.
        const command = JSON.stringify({ shard: 0, checkpoint: 'MTU=' });
        await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: await queueUrl(`${STACK}-checkpoint-dlq`),
            MessageBody: command,
          }),
        );

        await run(test, ['remove']);
        await expect(
          clients.cloudFormation.send(new DescribeStacksCommand({ StackName: STACK })),
        ).rejects.toThrow(/does not exist/);
        await expect(
          clients.lambda.send(new GetFunctionCommand({ FunctionName: `${STACK}-checkpoint` })),
        ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

        for (const name of ['checkpoint', 'checkpoint-dlq', 'checkpoint-failed-events']) {
          expect(await queueUrl(`${STACK}-${name}`)).toMatch(new RegExp(`/${STACK}-${name}$`));
        }
        const kept = await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: await queueUrl(`${STACK}-checkpoint-dlq`),
            WaitTimeSeconds: 0,
          }),
        );
        expect(kept.Messages?.map((m) => m.Body)).toEqual([command]);
      },
      PACKAGING_TIMEOUT_MS,
    );
  });
}

function awsClients(endpoint: string) {
  const config = { endpoint, region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  return {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
  };
}
