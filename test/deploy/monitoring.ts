/** The monitoring serverless.yml packages: each alarm and its switch, the topic, the dashboard. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpointConfig, loadHeartbeatConfig } from '../../src/config.ts';
import {
  created,
  environmentOf,
  getAtt,
  holds,
  type Packaged,
  resource,
  type Template,
  TOPIC_ARN,
  type Variants,
} from './packaging.ts';

/** The dashboard body with CloudFormation's ${…} substitutions filled in as `<…>`, parsed. */
function dashboardBody(template: Template): { widgets: { properties: Record<string, unknown> }[] } {
  const body = (
    resource(template, 'MonitoringDashboard', 'AWS::CloudWatch::Dashboard').Properties.DashboardBody as {
      'Fn::Sub': string;
    }
  )['Fn::Sub'];
  return JSON.parse(body.replace(/\$\{([A-Za-z0-9:.]+)\}/g, '<$1>'));
}

const ALARMS = [
  'CheckpointDeadLetterQueueAlarm',
  'CheckpointFailedEventsAlarm',
  'HeartbeatErrorsAlarm',
  'HeartbeatMissedAlarm',
  'CheckpointFailuresAlarm',
  'LagAlarm',
];

/** Registers the monitoring tests: `test` has the defaults, `kms` every switch flipped, `dev` metrics off. */
export function describeMonitoring(variants: () => Variants): void {
  let base: Packaged;
  let withKms: Packaged;
  let metricsOff: Packaged;
  beforeAll(() => {
    ({ test: base, kms: withKms, dev: metricsOff } = variants());
  });

  describe('monitoring', () => {
    const alarm = (template: Template, id: string) =>
      resource(template, id, 'AWS::CloudWatch::Alarm').Properties;
    const fn = (logicalId: string) => [{ Name: 'Function', Value: { Ref: logicalId } }];

    it('by default: every alarm but lag, and the dashboard; metrics per group, lag off', () => {
      expect(ALARMS.filter((id) => created(base.template, id))).toEqual(ALARMS.slice(0, 5));
      expect(created(base.template, 'MonitoringDashboard')).toBe(true);
      expect(environmentOf(base.template, 'HeartbeatLambdaFunction')).toMatchObject({
        METRICS: 'group',
        METRICS_NAMESPACE: 'SlsCheckpoint',
        LAG_METRICS: 'false',
      });
      expect(loadCheckpointConfig(environmentOf(base.template, 'CheckpointLambdaFunction')).metrics).toEqual({
        level: 'group',
        namespace: 'SlsCheckpoint',
      });
      // No topic: no actions.
      for (const id of ALARMS) {
        expect(alarm(base.template, id).AlarmActions).toEqual({
          'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }],
        });
      }
      expect(holds(base.template, 'HasAlarmTopic')).toBe(false);
    });

    it('each switch removes its own alarm or the dashboard; lagMetrics adds the lag alarm; a topic is notified', () => {
      expect(ALARMS.filter((id) => created(withKms.template, id))).toEqual(['LagAlarm']);
      expect(created(withKms.template, 'MonitoringDashboard')).toBe(false);
      expect(holds(withKms.template, 'HasAlarmTopic')).toBe(true);
      expect(withKms.template.Parameters?.AlarmTopicArn?.Default).toBe(TOPIC_ARN);
      expect(environmentOf(withKms.template, 'HeartbeatLambdaFunction')).toMatchObject({
        METRICS: 'function',
        LAG_METRICS: 'true',
      });
      expect(loadHeartbeatConfig(environmentOf(withKms.template, 'HeartbeatLambdaFunction')).lagMetrics).toBe(
        true,
      );
      // The lag alarm needs lagMetrics and its own switch.
      expect(withKms.template.Conditions?.LagAlarmOn).toEqual({
        'Fn::And': [{ 'Fn::Equals': [{ Ref: 'AlarmLag' }, 'true'] }, { Condition: 'LagOn' }],
      });
      expect(withKms.template.Parameters?.LagMetrics?.Default).toBe('true');
    });

    it('metrics=off drops the alarms on our metrics and keeps those on AWS metrics', () => {
      expect(ALARMS.filter((id) => created(metricsOff.template, id))).toEqual([
        'CheckpointDeadLetterQueueAlarm',
        'CheckpointFailedEventsAlarm',
        'HeartbeatErrorsAlarm',
      ]);
      expect(environmentOf(metricsOff.template, 'CheckpointLambdaFunction').METRICS).toBe('off');
    });

    it('alarms when a dead-letter queue holds a message', () => {
      for (const [id, queue] of [
        ['CheckpointDeadLetterQueueAlarm', 'CheckpointDeadLetterQueue'],
        ['CheckpointFailedEventsAlarm', 'CheckpointFailedEventsQueue'],
      ] as const) {
        expect(alarm(base.template, id)).toMatchObject({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: getAtt(queue, 'QueueName') }],
          Statistic: 'Maximum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    });

    it('alarms on a heartbeat error, and on a minute without a successful beat (no data counts)', () => {
      expect(alarm(base.template, 'HeartbeatErrorsAlarm')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'HeartbeatLambdaFunction' } }],
        Statistic: 'Sum',
        Period: 60,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(alarm(base.template, 'HeartbeatMissedAlarm')).toMatchObject({
        Namespace: 'SlsCheckpoint',
        MetricName: 'Beats',
        Dimensions: fn('HeartbeatLambdaFunction'),
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    });

    it('alarms on checkpoint records that did not land, and on lag above the threshold for 3 minutes', () => {
      const failures = alarm(base.template, 'CheckpointFailuresAlarm');
      const metrics = failures.Metrics as { Id: string; Expression?: string; MetricStat?: unknown }[];
      expect(metrics.find((m) => m.Expression !== undefined)).toMatchObject({
        Expression: 'failed + invalid + blocked',
        ReturnData: true,
      });
      for (const [id, name] of [
        ['failed', 'Failed'],
        ['invalid', 'Invalid'],
        ['blocked', 'Blocked'],
      ]) {
        expect(metrics.find((m) => m.Id === id)?.MetricStat).toEqual({
          Metric: {
            Namespace: 'SlsCheckpoint',
            MetricName: name,
            Dimensions: fn('CheckpointLambdaFunction'),
          },
          Period: 300,
          Stat: 'Sum',
        });
      }
      expect(failures).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm(withKms.template, 'LagAlarm')).toMatchObject({
        MetricName: 'Lag',
        Dimensions: fn('HeartbeatLambdaFunction'),
        Statistic: 'Maximum',
        Threshold: 300,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('has a dashboard of beats, checkpoints, queues, dead-letter queues, errors and lag per group', () => {
      const { widgets } = dashboardBody(base.template);
      const titles = widgets.map((w) => w.properties.title);
      expect(titles).toEqual([
        'Heartbeat: beats per minute',
        'Heartbeat: longest gap between successful beats (s)',
        'Checkpoint: records',
        'Checkpoint: requests',
        'Checkpoint queue',
        'Dead-letter queues',
        'Functions: errors and throttles',
        'Lag per consumer group (s), with lagMetrics',
        'Heartbeat: shards held per target',
      ]);
      const text = JSON.stringify(widgets);
      for (const metric of ['Beats', 'FailedBeats', 'Applied', 'Failed', 'ApproximateAgeOfOldestMessage'])
        expect(text).toContain(`"${metric}"`);
      expect(text).toContain('<CheckpointQueue.QueueName>');
      expect(text).toContain('<CheckpointDeadLetterQueue.QueueName>');
      expect(text).toContain('<CheckpointFailedEventsQueue.QueueName>');
      expect(text).toContain(
        'SEARCH(\'{SlsCheckpoint,Function,ConsumerGroup} MetricName=\\"Lag\\" Function=\\"<HeartbeatLambdaFunction>\\"\'',
      );
      for (const w of widgets) expect(w.properties.region).toBe('<AWS::Region>');
      expect(base.template.Outputs.MonitoringDashboardUrl).toBeDefined();
    });
  });
}
