/**
 * The SLS client: builds, signs and sends the consumer-group calls, retries what is worth
 * retrying within the caller's deadline, and turns replies into typed values or errors. The
 * read-only logstore and shard calls are built in `reads.ts` on its `send` seam.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type Logger, silentLogger } from '../log.ts';
import { resolveEndpoint } from './endpoint.ts';
import {
  CLOCK_SKEW_CODES,
  CREDENTIAL_REJECTION_CODES,
  isRetryableStatus,
  SlsApiError,
  SlsDeadlineError,
  SlsError,
  SlsTimeoutError,
  SlsValidationError,
} from './errors.ts';
import { type Exchange, exchange, succeeded, TIMED_OUT, within } from './exchange.ts';
import { createUndiciTransport, type HttpResponse, type HttpTransport } from './http.ts';
import { assertName } from './names.ts';
import * as reads from './reads.ts';
import { signingFor } from './region.ts';
import { attemptBudget, backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import { type PreparedRequest, SIGN_V1, type SigningOptions, signedHeaders } from './signer.ts';
import type {
  CallOptions,
  CheckpointUpdate,
  ConsumerGroupSettings,
  CredentialsProvider,
  LogstoreTarget,
  SeekPosition,
  ShardCheckpoint,
  Target,
} from './types.ts';
import {
  checkpointListReply,
  checkpointProblem,
  errorReply,
  parseReply,
  shardListReply,
  shardProblem,
} from './validation.ts';

/** Told about every retry, for logs and metrics. */
export interface RetryEvent {
  readonly operation: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: SlsError;
}

export interface SlsClientOptions {
  readonly credentials: CredentialsProvider;
  /** Defaults to one keep-alive undici transport shared by the whole process. */
  readonly transport?: HttpTransport;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly retry?: Partial<RetryPolicy>;
  /** Used when a call gives no deadline. */
  readonly defaultTimeBudgetMs?: number;
  readonly userAgent?: string;
  /** v1 (default) or v4; v4 without a region uses the one each target's endpoint names. */
  readonly signing?: SigningOptions;
  readonly logger?: Logger;
  readonly onRetry?: (event: RetryEvent) => void;
}

let sharedTransport: HttpTransport | undefined;
/** The process-wide transport, created on first use so warm invocations reuse its sockets. */
export function defaultTransport(): HttpTransport {
  sharedTransport ??= createUndiciTransport();
  return sharedTransport;
}

function validateTarget(target: Target): void {
  assertName('project', target.project);
  assertName('logstore', target.logstore);
  assertName('consumerGroup', target.consumerGroup);
}

/** What a request concerns: a consumer group, or a logstore for shard-level reads. */
type RequestTarget = LogstoreTarget & { readonly consumerGroup?: string | undefined };

function describe(target: RequestTarget): string {
  const group = target.consumerGroup === undefined ? '' : `/${target.consumerGroup}`;
  return `${target.project}/${target.logstore}${group}`;
}

const encoder = new TextEncoder();
const jsonBody = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

/** Client for the SLS consumer-group API. Safe to share across concurrent calls. */
export class SlsClient {
  readonly #credentials: CredentialsProvider;
  readonly #transport: HttpTransport;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #policy: RetryPolicy;
  readonly #budgetMs: number;
  readonly #userAgent: string;
  readonly #signing: SigningOptions;
  readonly #logger: Logger;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  /** Server time minus our time, learnt from a clock-skew rejection. */
  #clockOffsetMs = 0;

  constructor(options: SlsClientOptions) {
    this.#credentials = options.credentials;
    this.#transport = options.transport ?? defaultTransport();
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? delay;
    this.#random = options.random ?? Math.random;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#budgetMs = options.defaultTimeBudgetMs ?? 30_000;
    this.#userAgent = options.userAgent ?? 'slscheckpoint/0.1';
    this.#signing = options.signing ?? SIGN_V1;
    this.#logger = options.logger ?? silentLogger;
    this.#onRetry = options.onRetry;
  }

  /**
   * `ConsumerGroupHeartBeat`: tells SLS that `consumer` is alive and holds `heldShards`;
   * returns the shards SLS assigns to it.
   */
  async heartbeat(
    target: Target,
    consumer: string,
    heldShards: readonly number[],
    options: CallOptions = {},
  ): Promise<number[]> {
    validateTarget(target);
    assertName('consumer', consumer);
    for (const shard of heldShards) {
      const problem = shardProblem(shard);
      if (problem) throw new SlsValidationError(`held shard ${String(shard)} ${problem}`);
    }
    const response = await this.#execute('ConsumerGroupHeartBeat', target, options, {
      method: 'POST',
      path: groupPath(target),
      query: { type: 'heartbeat', consumer },
      body: jsonBody(heldShards),
    });
    return parseReply('ConsumerGroupHeartBeat', response, shardListReply);
  }

  /** `UpdateCheckPoint` for one shard. */
  async updateCheckpoint(target: Target, update: CheckpointUpdate, options: CallOptions = {}): Promise<void> {
    validateTarget(target);
    const shardIssue = shardProblem(update.shard);
    if (shardIssue) throw new SlsValidationError(`shard ${String(update.shard)} ${shardIssue}`);
    const cursorIssue = checkpointProblem(update.checkpoint);
    if (cursorIssue) throw new SlsValidationError(`checkpoint ${cursorIssue}`);
    if (update.consumer !== undefined) assertName('consumer', update.consumer);
    else if (update.forceSuccess !== true) {
      throw new SlsValidationError('forceSuccess must be true when no consumer is given');
    }
    const query: Record<string, string> = { type: 'checkpoint', forceSuccess: String(update.forceSuccess) };
    if (update.consumer !== undefined) query.consumer = update.consumer;
    await this.#execute(
      `UpdateCheckPoint shard ${update.shard}`,
      target,
      options,
      {
        method: 'POST',
        path: groupPath(target),
        query,
        body: jsonBody({ shard: update.shard, checkpoint: update.checkpoint }),
      },
      true,
    );
  }

  /** `GetCheckPoint`: every shard's checkpoint, update time and consumer. */
  async getCheckpoints(target: Target, options: CallOptions = {}): Promise<ShardCheckpoint[]> {
    validateTarget(target);
    const response = await this.#execute('GetCheckPoint', target, options, {
      method: 'GET',
      path: groupPath(target),
      query: {},
    });
    return parseReply('GetCheckPoint', response, checkpointListReply).map((c) => ({
      shard: c.shard,
      checkpoint: c.checkpoint,
      updateTime: c.updateTime ?? 0,
      consumer: c.consumer ?? '',
    }));
  }

  /**
   * `GetCursor`: the cursor of a shard at `from`: `'begin'`, `'end'` (where the next log group
   * will be written) or a unix time in seconds (the first log group received at or after it).
   */
  getCursor(target: LogstoreTarget, shard: number, from: SeekPosition, options: CallOptions = {}) {
    return reads.getCursor(this.send, target, shard, from, options);
  }

  /** `GetCursorTime`: when SLS received the log group at `cursor` (unix seconds). */
  getCursorTime(target: LogstoreTarget, shard: number, cursor: string, options: CallOptions = {}) {
    return reads.getCursorTime(this.send, target, shard, cursor, options);
  }

  /** `ListShards`: every shard of the logstore, read-only ones included, by id. */
  listShards(target: LogstoreTarget, options: CallOptions = {}) {
    return reads.listShards(this.send, target, options);
  }

  /** `ListConsumerGroup`: the logstore's consumer groups and their settings. */
  listConsumerGroups(target: LogstoreTarget, options: CallOptions = {}) {
    return reads.listConsumerGroups(this.send, target, options);
  }

  /**
   * Sends one read-only request with this client's signing, retry and deadline rules and returns
   * its 2xx reply: the seam the operations in `reads.ts` are built on. Not for writes, which are
   * `ordered` (see `#execute`).
   */
  readonly send: reads.Send = (operation, target, request, options) =>
    this.#execute(operation, target, options, request);

  /** `CreateConsumerGroup`. Throws `SlsApiError` code `ConsumerGroupAlreadyExist` if it exists. */
  async createConsumerGroup(
    target: Target,
    settings: ConsumerGroupSettings,
    options: CallOptions = {},
  ): Promise<void> {
    validateTarget(target);
    if (!Number.isInteger(settings.timeoutSeconds) || settings.timeoutSeconds < 1) {
      throw new SlsValidationError(`timeoutSeconds ${settings.timeoutSeconds} must be a positive integer`);
    }
    await this.#execute('CreateConsumerGroup', target, options, {
      method: 'POST',
      path: `/logstores/${target.logstore}/consumergroups`,
      query: {},
      body: jsonBody({
        consumerGroup: target.consumerGroup,
        timeout: settings.timeoutSeconds,
        order: settings.inOrder,
      }),
    });
  }

  /**
   * Sends `request` with retries until it succeeds, fails for good, or the deadline comes.
   *
   * An `ordered` write (one whose effect depends on its order among writes, as UpdateCheckPoint)
   * is never abandoned before the deadline: an attempt past its time limit is retried alongside
   * (same value, harmless) but its reply is still awaited, and the call returns only once every
   * attempt has been answered. So nothing this call sent can land after it returns, except past
   * the deadline; a late success reply counts as success; and a failure says `ambiguous` when an
   * attempt may have been applied without a reply saying so.
   */
  async #execute(
    operation: string,
    target: RequestTarget,
    options: CallOptions,
    request: PreparedRequest,
    ordered = false,
  ): Promise<HttpResponse> {
    if (!ordered) return this.#attempts(operation, target, options, request, undefined);
    const exchanges: Promise<Exchange>[] = [];
    let failure: unknown;
    try {
      const response = await this.#attempts(operation, target, options, request, exchanges);
      await Promise.all(exchanges);
      return response;
    } catch (error) {
      failure = error;
    }
    const outcomes = await Promise.all(exchanges);
    const landed = outcomes.find(succeeded);
    if (landed !== undefined) return landed.response;
    if (!(failure instanceof SlsError)) throw failure;
    const ambiguous = outcomes.some((o) => !o.ok && o.error.ambiguous);
    throw failure.ambiguous === ambiguous ? failure : failure.with(failure.message, { ambiguous });
  }

  /** The retry loop; with `exchanges`, every attempt is added to it and never cancelled early. */
  async #attempts(
    operation: string,
    target: RequestTarget,
    options: CallOptions,
    request: PreparedRequest,
    exchanges: Promise<Exchange>[] | undefined,
  ): Promise<HttpResponse> {
    const endpoint = resolveEndpoint(target.endpoint, target.project);
    const signing = signingFor(this.#signing, target.endpoint);
    const deadline = options.deadline ?? this.#now() + this.#budgetMs;
    const path = request.path + queryString(request.query);
    const context = `${operation} on ${describe(target)}`;
    const noTime = () =>
      new SlsDeadlineError(`${context}: no time left before the deadline`, {
        code: 'DeadlineExceeded',
        retryable: true,
        operation,
      });
    // A cache miss fetches from Secrets Manager; that too must end by the deadline.
    let credentials = await withinDeadline(this.#credentials.get(), deadline - this.#now(), noTime);
    let refreshedCredentials = false;
    let correctedClock = false;
    let lastError: SlsError | undefined;

    for (let attempt = 1; ; attempt++) {
      const timeoutMs = attemptBudget(this.#now(), deadline, this.#policy);
      if (timeoutMs === undefined) {
        throw lastError ?? noTime();
      }
      const date = new Date(this.#now() + this.#clockOffsetMs);
      const headers = signedHeaders(credentials, request, endpoint.host, date, this.#userAgent, signing);
      const pending = exchange(
        this.#transport.send({
          method: request.method,
          origin: endpoint.origin,
          path,
          headers,
          body: request.body,
          // An ordered write is only given up at the deadline; `timeoutMs` just starts a retry.
          timeoutMs: exchanges ? Math.max(timeoutMs, deadline - this.#now()) : timeoutMs,
        }),
        (caught) => withContext(caught, context, operation),
      );
      exchanges?.push(pending);
      const done = exchanges ? await within(pending, timeoutMs) : await pending;
      let error: SlsError;
      if (done === TIMED_OUT) {
        error = new SlsTimeoutError(`${context} failed: no reply within ${timeoutMs} ms (still awaited)`, {
          code: 'Timeout',
          retryable: true,
          ambiguous: true,
          operation,
        });
      } else if (done.ok) {
        const response = done.response;
        if (response.status >= 200 && response.status < 300) return response;
        error = apiError(context, operation, response);
        if (CLOCK_SKEW_CODES.has(error.code) && !correctedClock) {
          // Re-sign at once with a Date corrected by the server's own clock.
          correctedClock = true;
          this.#learnClockOffset(response);
          attempt--;
          lastError = error;
          continue;
        }
      } else {
        error = done.error;
      }
      lastError = error;

      if (CREDENTIAL_REJECTION_CODES.has(error.code) && !refreshedCredentials) {
        // The key may have been rotated: fetch it once more and retry once with it.
        refreshedCredentials = true;
        this.#logger.warn('sls.credentials_rejected', {
          operation,
          code: error.code,
          requestId: error.requestId,
        });
        credentials = await withinDeadline(
          this.#credentials.refresh(credentials),
          deadline - this.#now(),
          () => error,
        );
        attempt--;
        continue;
      }
      if (!error.retryable || attempt >= this.#policy.maxAttempts) throw error;
      const delayMs = backoffDelay(attempt, this.#policy, this.#random);
      if (this.#now() + delayMs + this.#policy.minAttemptMs > deadline) throw error;
      this.#onRetry?.({ operation, attempt, delayMs, error });
      this.#logger.debug('sls.retry', {
        operation,
        attempt,
        delayMs,
        code: error.code,
        status: error.status,
      });
      await this.#sleep(delayMs);
    }
  }

  #learnClockOffset(response: HttpResponse): void {
    const serverTime = Date.parse(response.headers.date ?? '');
    if (Number.isFinite(serverTime)) this.#clockOffsetMs = serverTime - this.#now();
  }
}

/**
 * Waits for `promise` at most `ms`; past that, throws `onTimeout()`. The work itself goes on (a
 * credentials fetch still fills the cache for the next call), but this call keeps its deadline.
 */
async function withinDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  const result = await within(promise, ms);
  if (result === TIMED_OUT) throw onTimeout();
  return result;
}

function groupPath(target: Target): string {
  return `/logstores/${target.logstore}/consumergroups/${target.consumerGroup}`;
}

function queryString(query: Readonly<Record<string, string>>): string {
  const keys = Object.keys(query);
  if (keys.length === 0) return '';
  return `?${keys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k] ?? '')}`).join('&')}`;
}

/** Builds the typed error of a non-2xx reply. Server messages are trimmed and never echo a signature. */
function apiError(context: string, operation: string, response: HttpResponse): SlsApiError {
  const requestId = response.headers['x-log-requestid'];
  let code = `Http${response.status}`;
  let serverMessage = '';
  try {
    const parsed = errorReply.safeParse(JSON.parse(response.body.toString('utf8')));
    if (parsed.success) {
      code = parsed.data.errorCode;
      serverMessage = parsed.data.errorMessage ?? '';
    }
  } catch {
    // Not JSON (a proxy's error page, say): the status alone tells what happened.
  }
  // SignatureNotMatch echoes the signature; no server text about credentials is kept.
  if (CREDENTIAL_REJECTION_CODES.has(code)) serverMessage = 'the request was rejected for its credentials';
  const text = serverMessage.replace(/\s+/g, ' ').slice(0, 300);
  const retryable = isRetryableStatus(response.status, code);
  return new SlsApiError(
    `${context} failed: ${response.status} ${code}${text ? `: ${text}` : ''}${requestId ? ` (requestId ${requestId})` : ''}`,
    { code, status: response.status, requestId, retryable, operation },
  );
}

function withContext(error: unknown, context: string, operation: string): SlsError {
  if (error instanceof SlsError) return error.with(`${context} failed: ${error.message}`, { operation });
  return new SlsError(`${context} failed: unexpected error`, {
    code: 'Unexpected',
    retryable: false,
    operation,
    cause: error,
  });
}
