/**
 * The checkpoint function: a thin middy shell that recognises the event source, parses the
 * commands, runs them through the checkpoint use case and shapes the reply that source needs.
 *
 * - SQS (standard and FIFO): `{ batchItemFailures }` naming exactly the records that did not land.
 * - EventBridge (`detail` is one command) and direct invocation (one command or an array): a
 *   summary on success; on any failure an `Error` naming each failed command, so Lambda's own
 *   retries and on-failure destination take over.
 * - Direct invocation `{"action":"status"}`: the consumer group's status (read-only).
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import type { ApplyDeps, RequestCounts } from '../checkpoint/apply.ts';
import { type BatchRecord, landed, type RecordFate, runCheckpointBatch } from '../checkpoint/batch.ts';
import { type CommandDefaults, parseCommand, parseCommandBody } from '../checkpoint/command.ts';
import { type DetectedEvent, detectEvent, recordCount } from '../checkpoint/events.ts';
import {
  CheckpointCommandsError,
  type CheckpointSummary,
  type CommandFailure,
  describeFate,
  summarize,
} from '../checkpoint/report.ts';
import { type CheckpointConfig, loadCheckpointConfig } from '../config.ts';
import { slsCredentials } from '../credentials/middleware.ts';
import { createLogger, type Logger } from '../log.ts';
import { checkpointMetrics } from '../metrics/checkpoint.ts';
import { type MetricsScope, metricsOff } from '../metrics/scope.ts';
import type { CredentialsProvider } from '../sls/types.ts';
import { parseStatusRequest } from '../status/request.ts';
import { type GroupStatus, readGroupStatus, type StatusClient } from '../status/status.ts';
import { productionRuntime, remainingTime } from './runtime.ts';

/** Time kept back from the invocation's remaining time, to reply before Lambda's timeout. */
export const DEFAULT_SAFETY_MARGIN_MS = 2_000;
/** How many failures a thrown error lists by name; the rest are counted. */
const MAX_LISTED_FAILURES = 20;

export { CheckpointCommandsError, type CheckpointSummary, detectEvent };

export interface CheckpointHandlerDeps {
  readonly config: Pick<
    CheckpointConfig,
    'endpoint' | 'project' | 'logstore' | 'consumerGroup' | 'monotonic' | 'concurrency' | 'logLevel'
  >;
  /** Writes checkpoints and resolves seeks; reads a group's status. */
  readonly client: ApplyDeps['client'] & StatusClient;
  readonly logger?: Logger | undefined;
  /** Epoch ms; the same clock the client uses, since the deadline is passed to it. */
  readonly now?: (() => number) | undefined;
  /** When given, credentials are loaded before the handler runs (see `slsCredentials`). */
  readonly credentials?: CredentialsProvider | undefined;
  readonly safetyMarginMs?: number | undefined;
  /** Where metrics go; none when absent. */
  readonly metrics?: MetricsScope | undefined;
}

/**
 * Builds the handler around its collaborators. Tests pass a fake or emulator-backed client and a
 * manual clock; production uses `handler` below.
 */
export function createCheckpointHandler(deps: CheckpointHandlerDeps) {
  const baseLogger = deps.logger ?? createLogger({ level: deps.config.logLevel });
  const now = deps.now ?? Date.now;
  const margin = deps.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const metrics = checkpointMetrics(deps.metrics ?? metricsOff);
  /** Publishes an invocation's metrics and returns the fields its summary log line adds. */
  const published = (summary: CheckpointSummary, requests: RequestCounts, fates: readonly RecordFate[]) => {
    metrics.invocation(
      now(),
      { ...summary, requests: requests.writes, readBacks: requests.readBacks },
      fates,
    );
    return { requests: requests.writes, readBacks: requests.readBacks, seekLookups: requests.lookups };
  };
  const defaults: CommandDefaults = {
    project: deps.config.project,
    logstore: deps.config.logstore,
    consumerGroup: deps.config.consumerGroup,
  };

  const deadlineOf = (context: Context) => now() + remainingTime(context, now)() - margin;
  const run = async (records: readonly BatchRecord[], ordered: boolean, context: Context, logger: Logger) => {
    return runCheckpointBatch(
      records,
      { ordered },
      {
        client: deps.client,
        endpoint: deps.config.endpoint,
        deadline: deadlineOf(context),
        concurrency: deps.config.concurrency,
        monotonic: deps.config.monotonic,
        logger,
      },
    );
  };

  const handleSqs = async (
    source: Extract<DetectedEvent, { kind: 'sqs' }>,
    context: Context,
    logger: Logger,
  ): Promise<SQSBatchResponse> => {
    const started = now();
    const records: BatchRecord[] = source.records.map((r) => ({
      parsed: parseCommandBody(r.body, defaults),
      group: r.group,
    }));
    let fates: readonly RecordFate[];
    let updates = 0;
    let requests: RequestCounts = { writes: 0, readBacks: 0, lookups: 0 };
    try {
      const report = await run(records, source.fifo, context, logger);
      fates = report.fates;
      updates = report.updates;
      requests = report.requests;
    } catch (error) {
      // The use case does not throw; if it ever does, nothing is known to have landed.
      logger.error('checkpoint.batch_crashed', { error, records: records.length });
      fates = records.map(() => ({ status: 'invalid', error: 'the batch could not be processed' }));
    }
    const failures = new Set<string>();
    fates.forEach((fate, index) => {
      const record = source.records[index];
      if (record === undefined || landed(fate)) return;
      failures.add(record.messageId);
      if (fate.status === 'invalid') {
        logger.warn('checkpoint.invalid', { messageId: record.messageId, error: fate.error });
      } else if (fate.status === 'blocked') {
        logger.warn('checkpoint.blocked', {
          messageId: record.messageId,
          group: record.group,
          after: source.records[fate.after]?.messageId,
        });
      }
      // 'failed' was logged once per request by the use case.
    });
    const summary = summarize('sqs', fates, updates);
    logger.info('checkpoint.summary', {
      ...summary,
      ...published(summary, requests, fates),
      fifo: source.fifo,
      failures: failures.size,
      durationMs: now() - started,
    });
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };

  const handleCommands = async (
    kind: 'eventbridge' | 'direct',
    commands: readonly unknown[],
    single: boolean,
    context: Context,
    logger: Logger,
  ): Promise<CheckpointSummary> => {
    const started = now();
    const root = kind === 'eventbridge' ? 'detail' : 'command';
    const records: BatchRecord[] = commands.map((c) => ({ parsed: parseCommand(c, defaults, root) }));
    const report = await run(records, false, context, logger);
    const summary = summarize(kind, report.fates, report.updates);
    const failures: CommandFailure[] = [];
    report.fates.forEach((fate, index) => {
      if (landed(fate)) return;
      failures.push({ index, description: describeFate(fate) });
      if (fate.status === 'invalid') logger.warn('checkpoint.invalid', { index, error: fate.error });
    });
    logger.info('checkpoint.summary', {
      ...summary,
      ...published(summary, report.requests, report.fates),
      durationMs: now() - started,
    });
    if (failures.length === 0) return summary;
    const listed = failures
      .slice(0, MAX_LISTED_FAILURES)
      .map((f) => (single ? f.description : `command[${f.index}] ${f.description}`));
    if (failures.length > MAX_LISTED_FAILURES)
      listed.push(`and ${failures.length - MAX_LISTED_FAILURES} more`);
    const what =
      kind === 'eventbridge'
        ? 'the checkpoint command in detail'
        : `${failures.length} of ${commands.length} checkpoint commands`;
    throw new CheckpointCommandsError(`${what} did not land: ${listed.join('; ')}`, failures, summary);
  };

  /** `{"action":"status"}`: the group's status, read-only, within the invocation's deadline. */
  const handleStatus = async (request: unknown, context: Context, logger: Logger): Promise<GroupStatus> => {
    const parsed = parseStatusRequest(request, defaults);
    if (!parsed.ok) throw new Error(`checkpoint: invalid action: ${parsed.error}`);
    const started = now();
    const status = await readGroupStatus(
      { endpoint: deps.config.endpoint, ...parsed.group },
      { client: deps.client, now, deadline: deadlineOf(context), concurrency: deps.config.concurrency },
    );
    logger.info('checkpoint.status', {
      ...parsed.group,
      lagSeconds: status.lagSeconds,
      shards: status.shards.length,
      shardErrors: status.shardErrors,
      durationMs: now() - started,
    });
    return status;
  };

  const core = async (
    event: unknown,
    context: Context,
  ): Promise<SQSBatchResponse | CheckpointSummary | GroupStatus> => {
    const logger = baseLogger.child({ awsRequestId: context?.awsRequestId });
    const source = detectEvent(event);
    switch (source.kind) {
      case 'sqs':
        return handleSqs(source, context, logger);
      case 'eventbridge':
        return handleCommands('eventbridge', [source.detail], true, context, logger);
      case 'direct':
        return handleCommands('direct', source.commands, source.single, context, logger);
      case 'action':
        return handleStatus(source.request, context, logger);
      default:
        throw new Error(`checkpoint: unsupported event: ${source.reason}`);
    }
  };

  /**
   * Anything that fails outside the use case (the credentials middleware, middy's early
   * timeout, a non-Error throw) must still give SQS a partial reply rather than reject the
   * batch: every record is reported, since none is known to have landed.
   */
  const sqsOnError: MiddlewareObj = {
    onError: (request) => {
      if (request.error instanceof CheckpointCommandsError) return undefined;
      const source = detectEvent(request.event);
      metrics.lost(now(), recordCount(source));
      baseLogger.error('checkpoint.invocation_failed', {
        awsRequestId: (request.context as Context | undefined)?.awsRequestId,
        source: source.kind,
        error: request.error,
      });
      if (source.kind !== 'sqs') return undefined;
      return {
        batchItemFailures: [...new Set(source.records.map((r) => r.messageId))].map((itemIdentifier) => ({
          itemIdentifier,
        })),
      } satisfies SQSBatchResponse;
    },
  };

  const handler = middy(core).use(sqsOnError);
  if (deps.credentials !== undefined) {
    handler.use(slsCredentials({ provider: deps.credentials }));
  }
  return handler;
}

function handlerFromEnv() {
  const config = loadCheckpointConfig();
  return createCheckpointHandler({ config, ...productionRuntime(config, 'checkpoint') });
}

/** The Lambda entry point, configured from the environment at cold start. */
export const handler = handlerFromEnv();
