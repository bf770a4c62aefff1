/**
 * The SLS client's error hierarchy. Every error carries a stable `code`, a `retryable` flag the
 * callers act on mechanically, and the `cause`. None of them ever holds a credential, a
 * signature or an Authorization header.
 */

export interface SlsErrorDetails {
  readonly code: string;
  readonly retryable: boolean;
  readonly status?: number | undefined;
  readonly requestId?: string | undefined;
  /** The SLS operation, e.g. `UpdateCheckPoint`. */
  readonly operation?: string | undefined;
  /**
   * The request may have reached SLS and been applied although no reply said so (a timeout or
   * a connection lost after sending). Only a read-back can tell.
   */
  readonly ambiguous?: boolean | undefined;
  readonly cause?: unknown;
}

/** Base class of everything the SLS client throws. */
export class SlsError extends Error {
  override name = 'SlsError';
  readonly code: string;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly operation: string | undefined;
  readonly ambiguous: boolean;

  constructor(message: string, details: SlsErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.retryable = details.retryable;
    this.status = details.status;
    this.requestId = details.requestId;
    this.operation = details.operation;
    this.ambiguous = details.ambiguous ?? false;
  }

  /** A copy of this error, of the same class, with some details replaced. */
  with(message: string, details: Partial<SlsErrorDetails>): SlsError {
    const Ctor = this.constructor as new (message: string, details: SlsErrorDetails) => SlsError;
    return new Ctor(message, {
      code: this.code,
      retryable: this.retryable,
      status: this.status,
      requestId: this.requestId,
      operation: this.operation,
      ambiguous: this.ambiguous,
      cause: this.cause,
      ...details,
    });
  }

  /** A plain object for logs and API replies. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      requestId: this.requestId,
      retryable: this.retryable,
      operation: this.operation,
      ...(this.ambiguous ? { ambiguous: true } : {}),
    };
  }
}

/** SLS answered with an error status and (usually) an `{errorCode, errorMessage}` body. */
export class SlsApiError extends SlsError {
  override name = 'SlsApiError';
}

/** The connection failed or broke before a complete reply arrived. */
export class SlsNetworkError extends SlsError {
  override name = 'SlsNetworkError';
}

/** Connecting, or waiting for headers or body, took longer than allowed. */
export class SlsTimeoutError extends SlsError {
  override name = 'SlsTimeoutError';
}

/** The reply was not what the API promises (too large, not JSON, wrong shape). */
export class SlsResponseError extends SlsError {
  override name = 'SlsResponseError';
}

/**
 * The HTTP library refused to build or send the request as built (a header value with a line
 * break, an invalid URL): the same request would be refused again, so it is never retried.
 */
export class SlsRequestError extends SlsError {
  override name = 'SlsRequestError';
}

/** No attempt could be started (or retried) before the caller's deadline. */
export class SlsDeadlineError extends SlsError {
  override name = 'SlsDeadlineError';
}

/** An argument was rejected before any request was sent. */
export class SlsValidationError extends SlsError {
  override name = 'SlsValidationError';
  constructor(message: string) {
    super(message, { code: 'InvalidArgument', retryable: false });
  }
}

/** SLS codes that mean "the key was rejected": worth one retry with freshly fetched credentials. */
export const CREDENTIAL_REJECTION_CODES: ReadonlySet<string> = new Set([
  'SignatureNotMatch',
  'Unauthorized',
  'InvalidAccessKeyId',
  'InvalidAccessKeyId.NotFound',
  'SecurityTokenExpired',
  'SecurityToken.Expired',
  'InvalidSecurityToken',
]);

/** Clock-skew rejections (the docs use both names): retried once, re-signed with a corrected Date. */
export const CLOCK_SKEW_CODES: ReadonlySet<string> = new Set(['RequestTimeExpired', 'RequestTimeTooSkewed']);

/** 4xx codes that are throttling, not a bad request, so they are retried like 5xx. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ServerBusy',
  'InternalServerError',
  'RequestTimeout',
  'ReadQuotaExceed',
  'WriteQuotaExceed',
  'ShardReadQuotaExceed',
  'ShardWriteQuotaExceed',
  'ExceedQuota',
  'QpsLimit',
]);

/** Whether an SLS error reply is worth retrying as is (429, 5xx and throttling codes). */
export function isRetryableStatus(status: number, code: string): boolean {
  return status === 429 || status >= 500 || RETRYABLE_CODES.has(code);
}
