/**
 * The heartbeat function: a thin middy shell around `runHeartbeats`, triggered by a schedule.
 * It beats for as long as the invocation allows and returns a summary per target.
 *
 * It does not throw for SLS trouble that may pass (5xx, throttling, timeouts, an expired
 * consumer): that is logged and summarized, and the next beat or invocation carries on. It
 * throws when the function cannot work as configured: a bad environment (at cold start),
 * credentials that cannot be loaded or are malformed (before any beat), or a target that got no
 * beat through in the whole invocation for a reason retrying cannot fix (unknown project,
 * logstore or group, rejected key, a request that could not be built, a reply that broke the
 * API's rules), so the failure shows in the function's error metrics.
 */
import { setTimeout as delay } from 'node:timers/promises';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type HeartbeatConfig, loadHeartbeatConfig } from '../config.ts';
import { slsCredentials } from '../credentials/middleware.ts';
import { runHeartbeats } from '../heartbeat/run.ts';
import { createHeartbeatState, type HeartbeatState } from '../heartbeat/state.ts';
import type { HeartbeatClient, HeartbeatReport, HeartbeatTarget, TargetSummary } from '../heartbeat/types.ts';
import { type LagClient, measureLag } from '../lag/measure.ts';
import { createLogger, type Logger } from '../log.ts';
import { heartbeatMetrics } from '../metrics/heartbeat.ts';
import { type MetricsScope, metricsOff } from '../metrics/scope.ts';
import { groupName } from '../sls/names.ts';
import type { CredentialsProvider } from '../sls/types.ts';
import { productionRuntime, remainingTime } from './runtime.ts';

export type { HeartbeatReport, TargetSummary };

/** Thrown when a target could not beat at all for a reason retrying will not fix. */
export class HeartbeatTargetsError extends Error {
  override name = 'HeartbeatTargetsError';
  readonly code = 'HeartbeatFailed';
  readonly report: HeartbeatReport;
  constructor(message: string, report: HeartbeatReport) {
    super(message);
    this.report = report;
  }
}

export interface HeartbeatHandlerDeps {
  readonly config: Pick<
    HeartbeatConfig,
    | 'endpoint'
    | 'targets'
    | 'intervalMs'
    | 'concurrency'
    | 'safetyMarginMs'
    | 'createConsumerGroup'
    | 'groupTimeoutSeconds'
    | 'groupInOrder'
    | 'requestTimeoutMs'
    | 'logLevel'
  > &
    Partial<Pick<HeartbeatConfig, 'lagMetrics'>>;
  /** With `lagMetrics`, it must also read cursors. */
  readonly client: HeartbeatClient & Partial<LagClient>;
  readonly logger?: Logger | undefined;
  /** Epoch ms; the same clock the client uses, since deadlines are passed to it. */
  readonly now?: (() => number) | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Defaults to a state owned by this handler, so its warm invocations share it. */
  readonly state?: HeartbeatState | undefined;
  /** When given, credentials are loaded before any beat (see `slsCredentials`). */
  readonly credentials?: CredentialsProvider | undefined;
  /** Where metrics go; none when absent. */
  readonly metrics?: MetricsScope | undefined;
}

/**
 * Builds the handler around its collaborators. Tests pass a fake or emulator-backed client and a
 * manual clock; production uses `handler` below.
 */
export function createHeartbeatHandler(deps: HeartbeatHandlerDeps) {
  const { config } = deps;
  const baseLogger = deps.logger ?? createLogger({ level: config.logLevel });
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? delay;
  const state = deps.state ?? createHeartbeatState();
  const targets: HeartbeatTarget[] = config.targets.map((t) => ({ endpoint: config.endpoint, ...t }));
  const groupTimeoutMs = config.groupTimeoutSeconds * 1000;
  const metrics = heartbeatMetrics(deps.metrics ?? metricsOff);
  const lag = config.lagMetrics === true ? lagReader(deps.client, targets) : undefined;
  if (config.intervalMs * 2 > groupTimeoutMs) {
    // One failed beat then expires the consumer; the SDKs beat at a third of the timeout.
    baseLogger.warn('heartbeat.interval_too_long', { intervalMs: config.intervalMs, groupTimeoutMs });
  }

  const core = async (_event: unknown, context: Context, options?: { signal?: AbortSignal }) => {
    const logger = baseLogger.child({ awsRequestId: context?.awsRequestId });
    const remainingMs = remainingTime(context, now);
    const started = now();
    // Read-only and beside the beats, so a slow read never delays one; done before returning.
    const lagDone = lag?.({
      now,
      deadline: started + remainingMs() - config.safetyMarginMs,
      concurrency: config.concurrency,
      logger,
    })
      .then((lags) => metrics.lag(now(), lags))
      // Never left rejected while the beats run: lag must not fail the invocation.
      .catch((error: unknown) => logger.warn('lag.failed', { error }));
    const report = await runHeartbeats(targets, {
      client: deps.client,
      now,
      sleep,
      remainingMs,
      intervalMs: config.intervalMs,
      safetyMarginMs: config.safetyMarginMs,
      concurrency: config.concurrency,
      logger,
      state,
      groupTimeoutMs,
      createConsumerGroup: config.createConsumerGroup
        ? { timeoutSeconds: config.groupTimeoutSeconds, inOrder: config.groupInOrder }
        : undefined,
      minBeatMs: config.requestTimeoutMs,
      signal: options?.signal,
      onRound: metrics.round,
    });
    await lagDone;
    logger.info('heartbeat.summary', {
      rounds: report.rounds,
      durationMs: now() - started,
      targets: report.targets,
    });

    const broken = report.targets.filter(
      (t) => t.beats === 0 && t.lastError !== undefined && !t.lastError.retryable,
    );
    if (broken.length > 0) {
      const what = broken
        .map((t) => `${groupName(t)} consumer ${t.consumer}: ${t.lastError?.code}`)
        .join('; ');
      throw new HeartbeatTargetsError(`no heartbeat got through for ${what}`, report);
    }
    return report;
  };

  const handler = middy(core);
  if (deps.credentials !== undefined) handler.use(slsCredentials({ provider: deps.credentials }));
  return handler;
}

/** Measures the lag of the targets' distinct groups and logs it, or fails at once without a cursor client. */
function lagReader(client: HeartbeatClient & Partial<LagClient>, targets: readonly HeartbeatTarget[]) {
  const { getCursor, getCursorTime } = client;
  if (typeof getCursor !== 'function' || typeof getCursorTime !== 'function') {
    throw new TypeError('lagMetrics needs a client with getCursor and getCursorTime');
  }
  const lagClient: LagClient = {
    getCheckpoints: client.getCheckpoints.bind(client),
    getCursor: getCursor.bind(client),
    getCursorTime: getCursorTime.bind(client),
  };
  const groups = [...new Map(targets.map((t) => [`${t.endpoint}\u0000${groupName(t)}`, t])).values()];
  return async (deps: Omit<Parameters<typeof measureLag>[1], 'client'>) => {
    const lags = await measureLag(groups, { ...deps, client: lagClient });
    deps.logger.info('lag.measured', {
      groups: lags.map((l) => ({
        group: groupName(l.target),
        lagSeconds: l.lagSeconds,
        shards: l.measured,
        failedShards: l.failed,
      })),
    });
    return lags;
  };
}

function handlerFromEnv() {
  const config = loadHeartbeatConfig();
  return createHeartbeatHandler({ config, ...productionRuntime(config, 'heartbeat') });
}

/** The Lambda entry point, configured from the environment at cold start. */
export const handler = handlerFromEnv();
