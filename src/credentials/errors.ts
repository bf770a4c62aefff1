/**
 * Errors of the Secrets Manager credentials provider. Every error names the secret, carries a
 * stable `code` and a `retryable` flag callers act on mechanically, and never holds a value
 * read from the secret: not in the message, not in the cause, not in `toJSON()`.
 */

export type CredentialsErrorCode =
  /** The secret (or its AWSCURRENT version) does not exist, or is not readable in this state. */
  | 'SecretNotFound'
  /** IAM or KMS refused: the function's role may not read or decrypt the secret. */
  | 'SecretAccessDenied'
  /** SecretString is not JSON. */
  | 'SecretNotJson'
  /** SecretString is JSON but not the expected `{accessKeyId, accessKeySecret, securityToken?}`. */
  | 'SecretInvalid'
  /** The secret holds SecretBinary instead of SecretString. */
  | 'SecretBinary'
  /** Secrets Manager throttled the call (after the SDK's own retries). */
  | 'SecretsManagerThrottled'
  /** Secrets Manager failed (5xx) or could not be reached (network, timeout). */
  | 'SecretsManagerUnavailable'
  /** Anything else Secrets Manager or the SDK rejected. */
  | 'SecretsManagerError';

export interface CredentialsErrorDetails {
  readonly code: CredentialsErrorCode;
  readonly secretId: string;
  readonly retryable: boolean;
  /** HTTP status from the SDK's `$metadata.httpStatusCode`, when there was a response. */
  readonly status?: number | undefined;
  /** `$metadata.requestId` of the failed Secrets Manager call. */
  readonly requestId?: string | undefined;
  /** Must never hold a secret value (see `credentialsErrorFromSdk`). */
  readonly cause?: unknown;
}

/** What the credentials provider throws. */
export class CredentialsError extends Error {
  override name = 'CredentialsError';
  readonly code: CredentialsErrorCode;
  readonly secretId: string;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, details: CredentialsErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.secretId = details.secretId;
    this.retryable = details.retryable;
    this.status = details.status;
    this.requestId = details.requestId;
  }

  /** A plain object for logs and API replies (the cause is left out). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      secretId: this.secretId,
      retryable: this.retryable,
      status: this.status,
      requestId: this.requestId,
    };
  }
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const UNAVAILABLE = new Set([
  'InternalServiceError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // @smithy/node-http-handler: connection or request timeout.
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
/** Node socket and DNS errors, and undici's, all worth a retry. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

function shape(error: unknown): SdkErrorShape {
  return error !== null && typeof error === 'object' ? (error as SdkErrorShape) : {};
}

function errorName(error: unknown): string {
  const name = shape(error).name;
  return typeof name === 'string' && name !== '' ? name : typeof error;
}

function isNetworkError(error: unknown): boolean {
  const code = shape(error).code;
  return typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR_'));
}

/**
 * A modelled error Secrets Manager answered with (`$fault` is set by the SDK's error
 * deserializer only). Its message is the service's text about the request, which for
 * GetSecretValue holds no secret value.
 */
function isServiceException(error: unknown): boolean {
  const s = shape(error);
  return (s.$fault === 'client' || s.$fault === 'server') && typeof s.$metadata === 'object';
}

/**
 * The cause to keep. A service exception, a socket error or the HTTP handler's TimeoutError is
 * kept as is. Anything else is
 * replaced: when the SDK cannot parse a 200 reply it throws JSON.parse's SyntaxError, whose
 * message quotes the response body, that is, the secret (and `$response` holds all of it).
 */
function safeCause(error: unknown): unknown {
  if (isServiceException(error) || isNetworkError(error) || errorName(error) === 'TimeoutError') return error;
  return new Error(
    `${errorName(error)} from the Secrets Manager client (message withheld: it may quote the reply)`,
  );
}

/** Maps anything `SecretsManagerClient.send(GetSecretValue)` threw to a `CredentialsError`. */
export function credentialsErrorFromSdk(error: unknown, secretId: string): CredentialsError {
  if (error instanceof CredentialsError) return error;
  const s = shape(error);
  const name = errorName(error);
  const rawStatus = s.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const rawRequestId = s.$metadata?.requestId;
  const requestId = typeof rawRequestId === 'string' ? rawRequestId : undefined;
  const cause = safeCause(error);
  const base = { secretId, status, requestId, cause };
  const about = `secret "${secretId}"`;

  if (name === 'ResourceNotFoundException') {
    return new CredentialsError(`Secrets Manager has no ${about} (or no AWSCURRENT version of it)`, {
      ...base,
      code: 'SecretNotFound',
      retryable: false,
    });
  }
  if (name === 'DecryptionFailure') {
    return new CredentialsError(
      `Secrets Manager cannot decrypt ${about} with its KMS key (check kms:Decrypt for the function's role)`,
      { ...base, code: 'SecretAccessDenied', retryable: false },
    );
  }
  if (ACCESS_DENIED.has(name) || status === 403) {
    return new CredentialsError(`access to ${about} was denied (${name}): check the function's IAM role`, {
      ...base,
      code: 'SecretAccessDenied',
      retryable: false,
    });
  }
  if (name === 'InvalidRequestException') {
    return new CredentialsError(
      `Secrets Manager refused to read ${about} in its current state, e.g. scheduled for deletion (${name})`,
      { ...base, code: 'SecretsManagerError', retryable: false },
    );
  }
  if (THROTTLED.has(name) || status === 429) {
    return new CredentialsError(`Secrets Manager throttled reading ${about} (${name})`, {
      ...base,
      code: 'SecretsManagerThrottled',
      retryable: true,
    });
  }
  if (UNAVAILABLE.has(name) || (status !== undefined && status >= 500) || s.$fault === 'server') {
    return new CredentialsError(`Secrets Manager failed reading ${about} (${name})`, {
      ...base,
      code: 'SecretsManagerUnavailable',
      retryable: true,
    });
  }
  if (name === 'SyntaxError') {
    return new CredentialsError(`Secrets Manager sent a reply that could not be parsed, reading ${about}`, {
      ...base,
      code: 'SecretsManagerError',
      retryable: true,
    });
  }
  if (isNetworkError(error)) {
    return new CredentialsError(`Secrets Manager could not be reached reading ${about} (${String(s.code)})`, {
      ...base,
      code: 'SecretsManagerUnavailable',
      retryable: true,
    });
  }
  return new CredentialsError(`reading ${about} from Secrets Manager failed (${name})`, {
    ...base,
    code: 'SecretsManagerError',
    retryable: false,
  });
}
