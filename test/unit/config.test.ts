import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, type Env, loadCheckpointConfig, loadHeartbeatConfig } from '../../src/config.ts';
import { SecretsManagerCredentialsProvider } from '../../src/credentials/provider.ts';
import { resolveEndpoint } from '../../src/sls/endpoint.ts';
import { nameProblem } from '../../src/sls/names.ts';
import { VALID_ENV as base, configErrorMessage as message } from '../helpers/config.ts';

describe('loadHeartbeatConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadHeartbeatConfig(base);
    expect(config).toMatchObject({
      intervalMs: 20_000,
      concurrency: 8,
      createConsumerGroup: false,
      groupTimeoutSeconds: 120,
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
  it('applies defaults: not monotonic, 32 shards at once', () => {
    expect(loadCheckpointConfig(base)).toMatchObject({ monotonic: false, concurrency: 32 });
  });

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
    expect(message(() => loadCheckpointConfig({ ...base, SLS_ENDPOINT: 'not_a_host!' }))).toContain(
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

describe('cold-start gaps found by hostile values', () => {
  it.each([
    // A blank value counts as unset, like an empty one, everywhere: the rule that then applies
    // is named (before, a blank HEARTBEAT_TARGETS made a target with consumer "").
    [
      { HEARTBEAT_TARGETS: ' ', SLS_CONSUMER: '' },
      'SLS_CONSUMER is required when HEARTBEAT_TARGETS is not set',
    ],
    [
      { HEARTBEAT_TARGETS: '\n', SLS_CONSUMER: undefined },
      'SLS_CONSUMER is required when HEARTBEAT_TARGETS is not set',
    ],
    [
      { SLS_CONSUMER: ' ', HEARTBEAT_TARGETS: undefined },
      'SLS_CONSUMER is required when HEARTBEAT_TARGETS is not set',
    ],
    [{ SLS_CREDENTIALS_SECRET_ID: ' ' }, 'SLS_CREDENTIALS_SECRET_ID is required'],
    [{ SLS_ENDPOINT: '\t' }, 'SLS_ENDPOINT is required'],
    // Endpoints that would fail every request with ERR_INVALID_URL or a connect to port 0.
    [{ SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com:99999' }, 'SLS_ENDPOINT port must be between 1 and 65535'],
    [{ SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com:0' }, 'SLS_ENDPOINT port must be between 1 and 65535'],
    [{ SLS_ENDPOINT: 'https://127.0.0.1:0' }, 'SLS_ENDPOINT port must be between 1 and 65535'],
    [{ SLS_ENDPOINT: 'https://sls.example.com:99999' }, 'SLS_ENDPOINT is not a valid URL'],
    [{ SLS_ENDPOINT: '10.0.0.1' }, 'SLS_ENDPOINT is an IP address'],
    [{ SLS_ENDPOINT: '10.0.0.1:443' }, 'SLS_ENDPOINT is an IP address'],
    [{ SLS_ENDPOINT: 'log.0x1f' }, 'SLS_ENDPOINT is an IP address'],
    [{ SLS_ENDPOINT: ' https://sls.example.com' }, 'SLS_ENDPOINT must be printable ASCII with no spaces'],
    // A secret id with a space or a line break is no secret name or ARN.
    [
      { SLS_CREDENTIALS_SECRET_ID: 'sls/credentials\n' },
      'SLS_CREDENTIALS_SECRET_ID must be a secret name or ARN',
    ],
    [{ SLS_CREDENTIALS_SECRET_ID: 'my secret' }, 'SLS_CREDENTIALS_SECRET_ID must be a secret name or ARN'],
    [{ SLS_CREDENTIALS_SECRET_ID: 'prod:sls' }, 'SLS_CREDENTIALS_SECRET_ID must be a secret name or ARN'],
  ])('refuses %j naming the variable and the rule', (override, expected) => {
    expect(message(() => loadHeartbeatConfig({ ...base, ...override }))).toContain(expected);
  });

  it('refuses a secret id longer than Secrets Manager takes', () => {
    expect(
      message(() => loadHeartbeatConfig({ ...base, SLS_CREDENTIALS_SECRET_ID: 'x'.repeat(2049) })),
    ).toContain('SLS_CREDENTIALS_SECRET_ID must be a secret name or ARN');
  });

  it.each([
    'sls/credentials',
    'prod/sls_consumer+key=1.0@team-a',
    'arn:aws:secretsmanager:eu-central-1:123456789012:secret:slscheckpoint/prod-AbCdEf',
    'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:sls-AbCdEf',
  ])('accepts the secret id %s', (id) => {
    expect(loadCheckpointConfig({ ...base, SLS_CREDENTIALS_SECRET_ID: id }).secretId).toBe(id);
  });

  it.each([
    'cn-hangzhou.log.aliyuncs.com',
    'cn-hangzhou-intranet.log.aliyuncs.com:443',
    'https://10.0.0.1',
    'https://[::1]:8443',
    'http://127.0.0.1:9000',
  ])('accepts the endpoint %s', (endpoint) => {
    expect(loadCheckpointConfig({ ...base, SLS_ENDPOINT: endpoint }).endpoint).toBe(endpoint);
  });

  /** What a value must allow once accepted: no later call may fail for it. */
  function usable(env: Env): void {
    for (const load of [loadHeartbeatConfig, loadCheckpointConfig]) {
      let config: ReturnType<typeof load>;
      try {
        config = load(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        continue;
      }
      new SecretsManagerCredentialsProvider({ secretId: config.secretId });
      expect(config.secretId).toMatch(/^[\x21-\x7e]+$/);
      const targets = 'targets' in config ? config.targets : [config];
      for (const t of targets) {
        for (const kind of ['project', 'logstore', 'consumerGroup'] as const) {
          expect(nameProblem(kind, t[kind])).toBeUndefined();
        }
        if ('consumer' in t) expect(nameProblem('consumer', t.consumer)).toBeUndefined();
        const { port } = new URL(resolveEndpoint(config.endpoint, t.project).origin);
        expect(port === '' || (Number(port) >= 1 && Number(port) <= 65_535)).toBe(true);
      }
    }
  }

  it('property: a value either fails the cold start naming its variable, or every call can use it', () => {
    const hostile = fc.oneof(
      fc.constantFrom(
        ' ',
        '\n',
        '\t',
        '0',
        '0x10',
        '1.2.3.4',
        'h:0',
        'h:99999',
        'https://h:0',
        'null',
        '[]',
        '[{}]',
      ),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: fc.constantFrom(...'ab0.:/-_ \n[]{}"x9'.split('')), maxLength: 16 }),
    );
    const vars = [
      'SLS_ENDPOINT',
      'SLS_PROJECT',
      'SLS_LOGSTORE',
      'SLS_CONSUMER_GROUP',
      'SLS_CONSUMER',
      'SLS_CREDENTIALS_SECRET_ID',
      'HEARTBEAT_TARGETS',
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...vars), hostile, fc.boolean(), (name, value, noConsumer) => {
        const env = { ...base, ...(noConsumer ? { SLS_CONSUMER: '' } : {}), [name]: value };
        usable(env);
        try {
          loadHeartbeatConfig(env);
        } catch (error) {
          expect((error as Error).message).toMatch(new RegExp(`${name}|SLS_CONSUMER`));
        }
      }),
      { numRuns: 1_000 },
    );
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
