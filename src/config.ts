/**
 * The environment, parsed once at cold start into frozen objects. A bad value fails the cold
 * start with a message naming the variable.
 */
import * as z from 'zod/mini';
import { DEFAULT_NAMESPACE, METRICS_LEVELS, type MetricsLevel } from './metrics/scope.ts';
import { endpointProblem } from './sls/endpoint.ts';
import { regionFromEndpoint, regionProblem, signingFor } from './sls/region.ts';
import { SIGN_V1, type Signing } from './sls/signer.ts';
import { formatIssues, slsNameSchema as slsName } from './validation.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown when the environment is unusable; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'InvalidConfig';
}

const boolFlag = z.pipe(
  z.optional(z.enum(['true', 'false', '1', '0', 'yes', 'no'])),
  z.transform((v) => v === 'true' || v === '1' || v === 'yes'),
);

const intVar = (min: number, max: number, fallback: number) =>
  z.pipe(
    z.optional(z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number' }))),
    z.pipe(
      z.transform((v: string | undefined) => (v === undefined ? fallback : Number(v))),
      z.int().check(z.minimum(min), z.maximum(max)),
    ),
  );

/**
 * A Secrets Manager secret id: a name (ASCII letters, digits and `/_+=.@-`) or an ARN (the same
 * plus `:`), at most 2048 characters, as GetSecretValue takes it.
 */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,2048}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const secretId = z.string().check(
  z.refine((v) => v.length <= 2048 && (SECRET_NAME.test(v) || SECRET_ARN.test(v)), {
    error:
      'must be a secret name or ARN: at most 2048 characters, ASCII letters, digits and /_+=.@- (an ARN also :), no spaces',
  }),
);

const common = {
  SLS_ENDPOINT: z.string().check(
    z.refine((v) => endpointProblem(v) === undefined, {
      error: (i) => endpointProblem(String(i.input)) ?? 'is invalid',
    }),
  ),
  SLS_PROJECT: slsName('project'),
  SLS_LOGSTORE: slsName('logstore'),
  SLS_CONSUMER_GROUP: slsName('consumerGroup'),
  SLS_CREDENTIALS_SECRET_ID: secretId,
  SLS_CREDENTIALS_TTL_SECONDS: intVar(0, 3600, 300),
  SLS_REQUEST_TIMEOUT_MS: intVar(100, 60_000, 5_000),
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  SLS_SIGNATURE_VERSION: z._default(z.enum(['v1', 'v4']), 'v1'),
  SLS_REGION: z.optional(
    z.string().check(
      z.refine((v) => regionProblem(v) === undefined, {
        error: (i) => regionProblem(String(i.input)) ?? 'is invalid',
      }),
    ),
  ),
  METRICS: z._default(z.enum(METRICS_LEVELS), 'group'),
  // CloudWatch: 1-255 characters, not starting with ':'.
  METRICS_NAMESPACE: z._default(
    z.string().check(z.maxLength(255), z.regex(/^[^:]/, { error: 'must not start with ":"' })),
    DEFAULT_NAMESPACE,
  ),
};

/** Signature version and region must fit together; checked on the raw values, at cold start. */
function signingProblems(present: Record<string, string>): string[] {
  const version = present.SLS_SIGNATURE_VERSION ?? 'v1';
  if (version === 'v1' && present.SLS_REGION !== undefined) {
    return ['SLS_REGION is only used by v4 signing: set SLS_SIGNATURE_VERSION=v4 or remove SLS_REGION'];
  }
  if (
    version === 'v4' &&
    present.SLS_REGION === undefined &&
    !regionFromEndpoint(present.SLS_ENDPOINT ?? '')
  ) {
    return [
      'SLS_SIGNATURE_VERSION=v4 needs a region: SLS_ENDPOINT names none (only {region}[-intranet|-share|-vpc].log.aliyuncs.com or .sls.aliyuncs.com hosts do), so set SLS_REGION',
    ];
  }
  return [];
}

/** Targets beating at once when `HEARTBEAT_CONCURRENCY` is not set. */
export const DEFAULT_HEARTBEAT_CONCURRENCY = 8;
/**
 * Shards written at once when `CHECKPOINT_CONCURRENCY` is not set. At a 250 ms round trip, 8 wrote
 * a batch over 512 shards in 16 s of the function's 30 s; 32 in 4.4 s (see Sizing in the README).
 */
export const DEFAULT_CHECKPOINT_CONCURRENCY = 32;

const heartbeatTarget = z.strictObject({
  project: z.optional(slsName('project')),
  logstore: z.optional(slsName('logstore')),
  consumerGroup: slsName('consumerGroup'),
  consumer: slsName('consumer'),
});

const jsonTargets = z.pipe(
  z.optional(z.string()),
  z.transform((text, ctx) => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.issues.push({ code: 'custom', message: 'is not valid JSON', input: undefined });
      return z.NEVER;
    }
  }),
);

const heartbeatSchema = z.object({
  ...common,
  SLS_CONSUMER: z.optional(slsName('consumer')),
  HEARTBEAT_TARGETS: z.pipe(
    jsonTargets,
    z.optional(z.array(heartbeatTarget).check(z.minLength(1), z.maxLength(100))),
  ),
  HEARTBEAT_INTERVAL_SECONDS: intVar(1, 300, 20),
  HEARTBEAT_CONCURRENCY: intVar(1, 64, DEFAULT_HEARTBEAT_CONCURRENCY),
  HEARTBEAT_SAFETY_MARGIN_MS: intVar(0, 60_000, 3_000),
  SLS_CREATE_CONSUMER_GROUP: boolFlag,
  SLS_CONSUMER_GROUP_TIMEOUT_SECONDS: intVar(1, 86_400, 120),
  SLS_CONSUMER_GROUP_IN_ORDER: boolFlag,
  LAG_METRICS: boolFlag,
});

const checkpointSchema = z.object({
  ...common,
  CHECKPOINT_MONOTONIC: boolFlag,
  CHECKPOINT_CONCURRENCY: intVar(1, 64, DEFAULT_CHECKPOINT_CONCURRENCY),
});

/** The operator CLI: the same variables, but the secret is optional (keys may come from the environment). */
const operatorSchema = z.object({ ...common, SLS_CREDENTIALS_SECRET_ID: z.optional(secretId) });

/**
 * `VAR=` and a blank `VAR=" "` count as unset (deploy tools often render an absent parameter as
 * ''), so every rule, the schema's and the cross-variable ones, sees the same set of variables.
 */
function presentOnly(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''),
  );
}

/** Parses, collecting every problem: zod's and the `extra` checks', into one ConfigError. */
function parseEnv<T>(
  schema: z.ZodMiniType<T>,
  env: Env,
  extra: (present: Record<string, string>) => string[] = () => [],
): T {
  const present = presentOnly(env);
  const result = schema.safeParse(present, { reportInput: true });
  const problems = [
    ...(result.success ? [] : [formatIssues(result.error.issues, 'environment', 10)]),
    ...extra(present),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

/** A logical consumer the heartbeat function keeps alive. */
export interface HeartbeatTargetConfig {
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  readonly consumer: string;
}

export interface CommonConfig {
  readonly endpoint: string;
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  readonly secretId: string;
  /** How long fetched credentials are served from memory. */
  readonly credentialsTtlMs: number;
  readonly requestTimeoutMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How requests are signed: SLS_SIGNATURE_VERSION, and for v4 SLS_REGION or the endpoint's region. */
  readonly signing: Signing;
  /** Which metrics are published (`METRICS`), under which CloudWatch namespace. */
  readonly metrics: { readonly level: MetricsLevel; readonly namespace: string };
}

export interface HeartbeatConfig extends CommonConfig {
  readonly targets: readonly HeartbeatTargetConfig[];
  readonly intervalMs: number;
  readonly concurrency: number;
  readonly safetyMarginMs: number;
  readonly createConsumerGroup: boolean;
  readonly groupTimeoutSeconds: number;
  readonly groupInOrder: boolean;
  /** Publish each group's lag once per invocation (`LAG_METRICS`). */
  readonly lagMetrics: boolean;
}

export interface CheckpointConfig extends CommonConfig {
  readonly monotonic: boolean;
  readonly concurrency: number;
}

function commonFrom(env: z.infer<typeof operatorSchema>): CommonConfig {
  return {
    endpoint: env.SLS_ENDPOINT,
    project: env.SLS_PROJECT,
    logstore: env.SLS_LOGSTORE,
    consumerGroup: env.SLS_CONSUMER_GROUP,
    secretId: env.SLS_CREDENTIALS_SECRET_ID ?? '',
    credentialsTtlMs: env.SLS_CREDENTIALS_TTL_SECONDS * 1000,
    requestTimeoutMs: env.SLS_REQUEST_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
    signing: signingFor(
      env.SLS_SIGNATURE_VERSION === 'v4' ? { version: 'v4', region: env.SLS_REGION } : SIGN_V1,
      env.SLS_ENDPOINT,
    ),
    metrics: { level: env.METRICS, namespace: env.METRICS_NAMESPACE },
  };
}

const CONSUMER_REQUIRED = 'SLS_CONSUMER is required when HEARTBEAT_TARGETS is not set';

/** Parses the heartbeat function's environment. */
export function loadHeartbeatConfig(env: Env = process.env): HeartbeatConfig {
  const parsed = parseEnv(heartbeatSchema, env, (present) => [
    ...signingProblems(present),
    ...(present.HEARTBEAT_TARGETS === undefined && present.SLS_CONSUMER === undefined
      ? [CONSUMER_REQUIRED]
      : []),
  ]);
  const base = commonFrom(parsed);
  const configured =
    parsed.HEARTBEAT_TARGETS ??
    (parsed.SLS_CONSUMER === undefined
      ? []
      : [{ consumerGroup: base.consumerGroup, consumer: parsed.SLS_CONSUMER }]);
  // Checked above already; a target is never made up from a missing consumer.
  if (configured.length === 0) throw new ConfigError(`invalid environment: ${CONSUMER_REQUIRED}`);
  const targets: HeartbeatTargetConfig[] = configured.map((t) => ({
    project: t.project ?? base.project,
    logstore: t.logstore ?? base.logstore,
    consumerGroup: t.consumerGroup,
    consumer: t.consumer,
  }));
  const seen = new Set<string>();
  for (const t of targets) {
    const key = `${t.project}/${t.logstore}/${t.consumerGroup}/${t.consumer}`;
    if (seen.has(key)) throw new ConfigError(`invalid environment: HEARTBEAT_TARGETS lists ${key} twice`);
    seen.add(key);
  }
  return Object.freeze({
    ...base,
    targets: Object.freeze(targets),
    intervalMs: parsed.HEARTBEAT_INTERVAL_SECONDS * 1000,
    concurrency: parsed.HEARTBEAT_CONCURRENCY,
    safetyMarginMs: parsed.HEARTBEAT_SAFETY_MARGIN_MS,
    createConsumerGroup: parsed.SLS_CREATE_CONSUMER_GROUP,
    groupTimeoutSeconds: parsed.SLS_CONSUMER_GROUP_TIMEOUT_SECONDS,
    groupInOrder: parsed.SLS_CONSUMER_GROUP_IN_ORDER,
    lagMetrics: parsed.LAG_METRICS,
  });
}

/** Parses the checkpoint function's environment. */
export function loadCheckpointConfig(env: Env = process.env): CheckpointConfig {
  const parsed = parseEnv(checkpointSchema, env, signingProblems);
  return Object.freeze({
    ...commonFrom(parsed),
    monotonic: parsed.CHECKPOINT_MONOTONIC,
    concurrency: parsed.CHECKPOINT_CONCURRENCY,
  });
}

/** The operator CLI's configuration: `secretId` is '' when no secret is named. */
export function loadOperatorConfig(env: Env = process.env): CommonConfig {
  return Object.freeze(commonFrom(parseEnv(operatorSchema, env, signingProblems)));
}
