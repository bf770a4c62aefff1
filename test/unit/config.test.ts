import { describe, expect, it } from 'vitest';
import { ConfigError, loadCheckpointConfig, loadHeartbeatConfig } from '../../src/config.ts';

const base = {
  SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com',
  SLS_PROJECT: 'my-project',
  SLS_LOGSTORE: 'my-logstore',
  SLS_CONSUMER_GROUP: 'my-group',
  SLS_CONSUMER: 'consumer-1',
  SLS_CREDENTIALS_SECRET_ID: 'sls/credentials',
};

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadHeartbeatConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadHeartbeatConfig(base);
    expect(config).toMatchObject({
      intervalMs: 20_000,
      concurrency: 8,
      createConsumerGroup: false,
      groupTimeoutSeconds: 60,
      requestTimeoutMs: 5_000,
      credentialsTtlMs: 300_000,
      logLevel: 'info',
      targets: [
        { project: 'my-project', logstore: 'my-logstore', consumerGroup: 'my-group', consumer: 'consumer-1' },
      ],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    const config = loadHeartbeatConfig({
      ...base,
      SLS_CONSUMER: '',
      HEARTBEAT_TARGETS: '[{"consumerGroup":"g2","consumer":"c2"}]',
      HEARTBEAT_INTERVAL_SECONDS: '',
    });
    expect(config).toMatchObject({ intervalMs: 20_000, targets: [{ consumer: 'c2' }] });
  });

  it('fills HEARTBEAT_TARGETS fields from the defaults', () => {
    const config = loadHeartbeatConfig({
      ...base,
      HEARTBEAT_TARGETS:
        '[{"consumerGroup":"g2","consumer":"c2"},{"project":"other-project","consumerGroup":"g3","consumer":"c3"}]',
    });
    expect(config.targets).toEqual([
      { project: 'my-project', logstore: 'my-logstore', consumerGroup: 'g2', consumer: 'c2' },
      { project: 'other-project', logstore: 'my-logstore', consumerGroup: 'g3', consumer: 'c3' },
    ]);
  });

  it.each([
    [{ SLS_PROJECT: undefined }, 'SLS_PROJECT is required'],
    [{ SLS_PROJECT: 'My_Project' }, 'SLS_PROJECT may contain only'],
    [{ HEARTBEAT_INTERVAL_SECONDS: 'soon' }, 'HEARTBEAT_INTERVAL_SECONDS must be a whole number'],
    [{ HEARTBEAT_INTERVAL_SECONDS: '0' }, 'HEARTBEAT_INTERVAL_SECONDS must be >= 1'],
    [{ SLS_CREATE_CONSUMER_GROUP: 'maybe' }, 'SLS_CREATE_CONSUMER_GROUP must be one of'],
    [{ HEARTBEAT_TARGETS: '[{' }, 'HEARTBEAT_TARGETS is not valid JSON'],
    [{ HEARTBEAT_TARGETS: '[]' }, 'HEARTBEAT_TARGETS must have at least 1 items'],
    [
      { HEARTBEAT_TARGETS: '[{"consumerGroup":"g","consumer":"c","x":1}]' },
      'HEARTBEAT_TARGETS[0] has unknown field x',
    ],
    [{ HEARTBEAT_TARGETS: '[{"consumerGroup":"g"}]' }, 'HEARTBEAT_TARGETS[0].consumer is required'],
    [
      { HEARTBEAT_TARGETS: '[{"consumerGroup":"g","consumer":"c"},{"consumerGroup":"g","consumer":"c"}]' },
      'lists my-project/my-logstore/g/c twice',
    ],
    [{ SLS_CONSUMER: undefined }, 'SLS_CONSUMER is required when HEARTBEAT_TARGETS is not set'],
    [{ SLS_CREDENTIALS_TTL_SECONDS: '3601' }, 'SLS_CREDENTIALS_TTL_SECONDS must be <= 3600'],
    [{ SLS_CREDENTIALS_TTL_SECONDS: '5m' }, 'SLS_CREDENTIALS_TTL_SECONDS must be a whole number'],
    [{ SLS_CREDENTIALS_SECRET_ID: '' }, 'SLS_CREDENTIALS_SECRET_ID is required'],
  ])('rejects %o naming the variable', (override, expected) => {
    expect(message(() => loadHeartbeatConfig({ ...base, ...override }))).toContain(expected);
  });
});

describe('all problems in one message', () => {
  it('reports a missing SLS_CONSUMER together with other bad variables', () => {
    const text = message(() =>
      loadHeartbeatConfig({ ...base, SLS_CONSUMER: undefined, HEARTBEAT_INTERVAL_SECONDS: '0' }),
    );
    expect(text).toContain('HEARTBEAT_INTERVAL_SECONDS must be >= 1');
    expect(text).toContain('SLS_CONSUMER is required when HEARTBEAT_TARGETS is not set');
  });

  it('reports a bad target together with other bad variables', () => {
    const text = message(() =>
      loadHeartbeatConfig({ ...base, HEARTBEAT_TARGETS: '[{"consumerGroup":"g"}]', LOG_LEVEL: 'loud' }),
    );
    expect(text).toContain('HEARTBEAT_TARGETS[0].consumer is required');
    expect(text).toContain('LOG_LEVEL must be one of');
  });
});

describe('loadCheckpointConfig', () => {
  it('parses flags and numbers', () => {
    expect(
      loadCheckpointConfig({
        ...base,
        CHECKPOINT_MONOTONIC: 'true',
        CHECKPOINT_CONCURRENCY: '16',
        LOG_LEVEL: 'debug',
      }),
    ).toMatchObject({ monotonic: true, concurrency: 16, logLevel: 'debug' });
  });

  it('checks SLS_ENDPOINT at cold start', () => {
    expect(
      message(() => loadCheckpointConfig({ ...base, SLS_ENDPOINT: 'http://sls.example.com' })),
    ).toContain('SLS_ENDPOINT uses plain http, which is allowed for loopback addresses only');
    expect(message(() => loadCheckpointConfig({ ...base, SLS_ENDPOINT: 'not a host!' }))).toContain(
      'SLS_ENDPOINT is not a host name or URL',
    );
    expect(loadCheckpointConfig({ ...base, SLS_ENDPOINT: 'http://127.0.0.1:9000' }).endpoint).toBe(
      'http://127.0.0.1:9000',
    );
  });

  it('names every bad variable at once', () => {
    const text = message(() => loadCheckpointConfig({ CHECKPOINT_CONCURRENCY: '1000' }));
    for (const name of [
      'SLS_ENDPOINT',
      'SLS_PROJECT',
      'SLS_CREDENTIALS_SECRET_ID',
      'CHECKPOINT_CONCURRENCY',
    ]) {
      expect(text).toContain(name);
    }
  });
});

describe('metrics settings', () => {
  it('publishes per group under SlsCheckpoint by default, lag off', () => {
    expect(loadHeartbeatConfig(base)).toMatchObject({
      metrics: { level: 'group', namespace: 'SlsCheckpoint' },
      lagMetrics: false,
    });
    expect(loadCheckpointConfig(base).metrics).toEqual({ level: 'group', namespace: 'SlsCheckpoint' });
  });

  it('reads METRICS, METRICS_NAMESPACE and LAG_METRICS', () => {
    const env = { ...base, METRICS: 'function', METRICS_NAMESPACE: 'Team/Sls', LAG_METRICS: 'true' };
    expect(loadHeartbeatConfig(env)).toMatchObject({
      metrics: { level: 'function', namespace: 'Team/Sls' },
      lagMetrics: true,
    });
    expect(loadCheckpointConfig({ ...base, METRICS: 'off' }).metrics.level).toBe('off');
  });

  it('names a bad level and a namespace CloudWatch refuses', () => {
    const text = message(() =>
      loadCheckpointConfig({ ...base, METRICS: 'all', METRICS_NAMESPACE: ':aws', LAG_METRICS: 'x' }),
    );
    expect(text).toMatch(/METRICS/);
    expect(text).toMatch(/METRICS_NAMESPACE must not start with ":"/);
    expect(message(() => loadCheckpointConfig({ ...base, METRICS_NAMESPACE: 'n'.repeat(256) }))).toMatch(
      /METRICS_NAMESPACE/,
    );
  });
});
