/** The two functions as serverless.yml packages them: settings, events, environment. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpointConfig, loadHeartbeatConfig } from '../../src/config.ts';
import {
  DEV_HEARTBEAT_TARGETS,
  environmentOf,
  getAtt,
  type Packaged,
  PROD_PARAMS,
  policyStatements,
  type Resource,
  resource,
  resourcesOfType,
  SECRET_ARN,
  type Variants,
} from './packaging.ts';

/** Registers the function tests of the packaged `test` stage (and its KMS variant). */
export function describeFunctions(variants: () => Variants): void {
  let test: Packaged;
  let kms: Packaged;
  let dev: Packaged;
  let prod: Packaged;
  beforeAll(() => {
    ({ test, kms, dev, prod } = variants());
  });

  it('resolves every variable (nothing needs AWS at packaging time)', () => {
    expect(test.templateText).not.toMatch(/\$\{(param|self|sls|opt|env|aws|strToBool):/);
    expect(test.templateText).not.toMatch(/\$\{(param|self|sls|opt|env|aws|strToBool)\(/);
  });

  it('deploys two functions on nodejs24.x, arm64, from their own ESM bundles', () => {
    const functions = resourcesOfType(test.template, 'AWS::Lambda::Function');
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
    expect(test.template.Resources.HeartbeatLambdaFunction?.Properties.Handler).toBe(
      'src/handlers/heartbeat.handler',
    );
    expect(test.template.Resources.CheckpointLambdaFunction?.Properties.Handler).toBe(
      'src/handlers/checkpoint.handler',
    );
  });

  describe('heartbeat', () => {
    it('never overlaps itself: timeout below the minute, reserved concurrency 1, no async retries', () => {
      const fn = resource(test.template, 'HeartbeatLambdaFunction', 'AWS::Lambda::Function');
      expect(fn.Properties.Timeout).toBe(50);
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
      const [, invokeConfig] = resourcesOfType(test.template, 'AWS::Lambda::EventInvokeConfig').find(
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
      const schedules = resourcesOfType(test.template, 'AWS::Scheduler::Schedule');
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

      const role = resource(test.template, 'HeartbeatSchedulerRole', 'AWS::IAM::Role');
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
      const statements = policyStatements(test.template).filter((s) => s.source === 'HeartbeatSchedulerRole');
      expect(statements.map((s) => s.statement)).toEqual([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt('HeartbeatLambdaFunction') },
      ]);
    });

    it('gets an environment its config accepts, and none of the checkpoint settings', () => {
      const env = environmentOf(test.template, 'HeartbeatLambdaFunction');
      expect(env).toMatchObject({ SLS_CREDENTIALS_SECRET_ID: SECRET_ARN });
      // Source maps cost every cold start (docs/benchmarks.md): not on by default.
      expect(env.NODE_OPTIONS).toBeUndefined();
      expect(Object.keys(env).filter((k) => k.startsWith('CHECKPOINT_'))).toEqual([]);
      const config = loadHeartbeatConfig(env);
      expect(config).toMatchObject({ intervalMs: 20_000, secretId: SECRET_ARN, groupTimeoutSeconds: 120 });
      expect(config.targets).toEqual([
        {
          project: 'test-project',
          logstore: 'test-logstore',
          consumerGroup: 'test-group',
          consumer: 'test-consumer',
        },
      ]);
    });

    it('serves several targets when a stage sets heartbeatTargets and an empty slsConsumer', () => {
      const env = environmentOf(dev.template, 'HeartbeatLambdaFunction');
      expect(env).toMatchObject({ SLS_CONSUMER: '', LOG_LEVEL: 'debug' });
      expect(loadHeartbeatConfig(env).targets).toEqual(
        DEV_HEARTBEAT_TARGETS.map((t) => ({ project: 'dev-project', logstore: 'dev-logstore', ...t })),
      );
    });

    it('starts through the exec wrapper unless a stage sets execWrapper to "" (the bootstrap then runs node itself)', () => {
      for (const id of ['HeartbeatLambdaFunction', 'CheckpointLambdaFunction']) {
        expect(environmentOf(test.template, id).AWS_LAMBDA_EXEC_WRAPPER).toBe(
          '/var/task/lambda/exec-wrapper.sh',
        );
        expect(environmentOf(dev.template, id).AWS_LAMBDA_EXEC_WRAPPER).toBe('');
      }
    });

    it("takes a stage's required params from --param", () => {
      const env = environmentOf(prod.template, 'HeartbeatLambdaFunction');
      expect(loadHeartbeatConfig(env)).toMatchObject({
        secretId: PROD_PARAMS.credentialsSecretArn,
        targets: [
          {
            project: PROD_PARAMS.slsProject,
            logstore: PROD_PARAMS.slsLogstore,
            consumerGroup: PROD_PARAMS.slsConsumerGroup,
            consumer: PROD_PARAMS.slsConsumer,
          },
        ],
      });
    });
  });

  describe('checkpoint', () => {
    it('reads its own SQS queue with partial batch responses', () => {
      const mappings = resourcesOfType(test.template, 'AWS::Lambda::EventSourceMapping');
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
      const standard = resource(test.template, 'CheckpointQueue', 'AWS::SQS::Queue');
      const fifoQueue = resource(kms.template, 'CheckpointQueue', 'AWS::SQS::Queue');
      const fifoDlq = resource(kms.template, 'CheckpointDeadLetterQueue', 'AWS::SQS::Queue');
      // Chosen at packaging: a standard queue has no FifoQueue at all (CloudFormation refuses false).
      const standardDlq = resource(test.template, 'CheckpointDeadLetterQueue', 'AWS::SQS::Queue');
      for (const queue of [standard, standardDlq])
        expect(queue.Properties.FifoQueue).toEqual({ Ref: 'AWS::NoValue' });
      expect(standard.Properties.ContentBasedDeduplication).toEqual({ Ref: 'AWS::NoValue' });
      for (const queue of [fifoQueue, fifoDlq]) expect(queue.Properties.FifoQueue).toBe(true);
      expect(fifoQueue.Properties.ContentBasedDeduplication).toBe(true);
      expect(standard.Properties.QueueName).toBe('slscheckpoint-test-checkpoint');
      expect(fifoQueue.Properties.QueueName).toBe('slscheckpoint-test-checkpoint.fifo');
      expect(fifoDlq.Properties.QueueName).toBe('slscheckpoint-test-checkpoint-dlq.fifo');
      const [, mapping] = resourcesOfType(kms.template, 'AWS::Lambda::EventSourceMapping')[0] as [
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
      const queue = resource(test.template, 'CheckpointQueue', 'AWS::SQS::Queue');
      const dlq = resource(test.template, 'CheckpointDeadLetterQueue', 'AWS::SQS::Queue');
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: getAtt('CheckpointDeadLetterQueue'),
        maxReceiveCount: 5,
      });
      const fn = resource(test.template, 'CheckpointLambdaFunction', 'AWS::Lambda::Function');
      const [, mapping] = resourcesOfType(test.template, 'AWS::Lambda::EventSourceMapping')[0] as [
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
      expect(test.template.Outputs).toMatchObject({
        CheckpointQueueUrl: { Value: { Ref: 'CheckpointQueue' } },
        CheckpointQueueArn: { Value: getAtt('CheckpointQueue') },
        CheckpointDeadLetterQueueUrl: { Value: { Ref: 'CheckpointDeadLetterQueue' } },
        CheckpointDeadLetterQueueArn: { Value: getAtt('CheckpointDeadLetterQueue') },
      });
    });

    it('has an EventBridge rule on the custom source, switched by the checkpointRuleEnabled param', () => {
      const [[, rule] = [], ...others] = resourcesOfType(test.template, 'AWS::Events::Rule');
      expect(others).toEqual([]);
      expect(rule?.Properties).toMatchObject({
        Name: 'slscheckpoint-test-checkpoint',
        State: 'ENABLED',
        EventPattern: { source: ['slscheckpoint'], 'detail-type': ['SLS checkpoint'] },
        Targets: [
          {
            Arn: getAtt('CheckpointLambdaFunction'),
            RetryPolicy: { MaximumEventAgeInSeconds: 600 },
            // What EventBridge cannot deliver is kept next to the failed invocations.
            DeadLetterConfig: { Arn: getAtt('CheckpointFailedEventsQueue') },
          },
        ],
      });
      const [[, disabled] = []] = resourcesOfType(kms.template, 'AWS::Events::Rule');
      expect(disabled?.Properties.State).toBe('DISABLED');
    });

    it('retries failed async (EventBridge, direct) invocations while fresh, then keeps them in a queue', () => {
      const [, invokeConfig] = resourcesOfType(test.template, 'AWS::Lambda::EventInvokeConfig').find(
        ([, r]) =>
          JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: 'CheckpointLambdaFunction' }),
      ) ?? [undefined, undefined];
      expect(invokeConfig?.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 600,
        DestinationConfig: { OnFailure: { Destination: getAtt('CheckpointFailedEventsQueue') } },
      });
      resource(test.template, 'CheckpointFailedEventsQueue', 'AWS::SQS::Queue');
    });

    it('gets an environment its config accepts, and none of the heartbeat settings', () => {
      const env = environmentOf(test.template, 'CheckpointLambdaFunction');
      expect(Object.keys(env).filter((k) => k.startsWith('HEARTBEAT_') || k === 'SLS_CONSUMER')).toEqual([]);
      expect(loadCheckpointConfig(env)).toMatchObject({
        secretId: SECRET_ARN,
        concurrency: 32,
        monotonic: false,
      });
    });
  });
}
