/**
 * The stack around the functions as serverless.yml packages it: IAM, the queues that must outlive
 * a `remove`, and where undeliverable events go.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allVariants,
  asArray,
  getAtt,
  KMS_KEY_ARN,
  type Packaged,
  policyStatements,
  resource,
  resourcesOfType,
  SECRET_ARN,
  type Variants,
} from './packaging.ts';

const QUEUES = ['CheckpointQueue', 'CheckpointDeadLetterQueue', 'CheckpointFailedEventsQueue'];

/** Registers the stack tests of the packaged variants. */
export function describeStack(variants: () => Variants): void {
  let test: Packaged;
  let kms: Packaged;
  beforeAll(() => {
    ({ test, kms } = variants());
  });

  describe('queues', () => {
    it('keeps the three queues, and only them, when the stack is removed or a queue replaced', () => {
      for (const { template } of allVariants(variants())) {
        const retained = Object.entries(template.Resources)
          .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain')
          .map(([id, r]) => [id, r.Type, r.DeletionPolicy, r.UpdateReplacePolicy]);
        expect(retained).toEqual(QUEUES.map((id) => [id, 'AWS::SQS::Queue', 'Retain', 'Retain']));
      }
    });

    it("lets only this stack's EventBridge rule send its dead letters to the failed-events queue", () => {
      const [[, rule] = []] = resourcesOfType(test.template, 'AWS::Events::Rule');
      const policies = resourcesOfType(test.template, 'AWS::SQS::QueuePolicy');
      expect(policies.map(([id, p]) => [id, p.Properties.Queues])).toEqual([
        ['CheckpointFailedEventsQueuePolicy', [{ Ref: 'CheckpointFailedEventsQueue' }]],
      ]);
      const statements = policyStatements(test.template).filter(
        (s) => s.source === 'CheckpointFailedEventsQueuePolicy',
      );
      expect(statements.map((s) => s.statement)).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: getAtt('CheckpointFailedEventsQueue'),
          Condition: {
            ArnEquals: {
              'aws:SourceArn': {
                'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${rule?.Properties.Name}`,
              },
            },
          },
        },
      ]);
    });
  });

  describe('IAM', () => {
    it('grants nothing on Resource "*" and no wildcard actions', () => {
      for (const { template } of allVariants(variants())) {
        // Only Allow statements grant; the framework's bucket policy denies s3:* without TLS.
        for (const { source, statement } of policyStatements(template).filter(
          (s) => s.statement.Effect === 'Allow',
        )) {
          const where = `${source}: ${JSON.stringify(statement)}`;
          expect(asArray(statement.Resource), where).not.toContain('*');
          for (const action of asArray(statement.Action)) expect(action, where).not.toMatch(/(^|:)\*$/);
        }
      }
    });

    it("gives the functions' role exactly: their logs, the one secret, the queues it reads and writes", () => {
      const statements = policyStatements(test.template).filter((s) => s.source === 'IamRoleLambdaExecution');
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
      const role = resource(test.template, 'IamRoleLambdaExecution', 'AWS::IAM::Role');
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
      for (const { template } of [test, kms]) {
        expect(
          resource(template, 'IamRoleLambdaExecution', 'AWS::IAM::Role').Properties.ManagedPolicyArns,
        ).toEqual(attach);
        expect(resource(template, 'CredentialsKmsDecryptPolicy', 'AWS::IAM::ManagedPolicy').Condition).toBe(
          'HasCredentialsKmsKey',
        );
        // Decided by CloudFormation at deploy time, from a stack parameter the param sets.
        expect(template.Conditions?.HasCredentialsKmsKey).toEqual({
          'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CredentialsKmsKeyArn' }, ''] }],
        });
      }
      expect(test.template.Parameters?.CredentialsKmsKeyArn?.Default).toBe('');
      expect(kms.template.Parameters?.CredentialsKmsKeyArn?.Default).toBe(KMS_KEY_ARN);
      const statements = policyStatements(kms.template).filter(
        (s) => s.source === 'CredentialsKmsDecryptPolicy',
      );
      expect(statements.map((s) => s.statement)).toEqual([
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: { Ref: 'CredentialsKmsKeyArn' },
          Condition: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
            StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } },
          },
        },
      ]);
    });

    it('accepts only a key ARN (or nothing) as the KMS key: IAM matches key ARNs, not aliases', () => {
      const pattern = new RegExp(test.template.Parameters?.CredentialsKmsKeyArn?.AllowedPattern as string);
      for (const accepted of [
        '',
        KMS_KEY_ARN,
        'arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      ]) {
        expect(accepted, accepted).toMatch(pattern);
      }
      for (const refused of [
        'arn:aws:kms:us-east-1:123456789012:alias/my-key',
        '1234abcd-12ab-34cd-56ef-1234567890ab',
        `${KMS_KEY_ARN} `,
        '*',
      ]) {
        expect(refused, refused).not.toMatch(pattern);
      }
    });
  });
}
