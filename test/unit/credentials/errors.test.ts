import {
  DecryptionFailure,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CredentialsErrorCode } from '../../../src/credentials/errors.ts';
import { CredentialsError, credentialsErrorFromSdk } from '../../../src/credentials/errors.ts';
import { SecretsManagerCredentialsProvider } from '../../../src/credentials/provider.ts';

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sls-AbCdEf';
const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: `req-${httpStatusCode}` });

/** A generic (unmodelled) AWS error, as the SDK builds it from `__type`. */
function serviceError(name: string, httpStatusCode: number, $fault: 'client' | 'server' = 'client') {
  return new SecretsManagerServiceException({
    name,
    $fault,
    $metadata: meta(httpStatusCode),
    message: `${name}!`,
  });
}
const network = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });
const timeout = () =>
  Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' });

const client = new SecretsManagerClient({ region: 'us-east-1' });
const sm = mockClient(client);
beforeEach(() => {
  sm.reset();
});

async function failure(): Promise<CredentialsError> {
  const provider = new SecretsManagerCredentialsProvider({ secretId: SECRET_ID, client });
  const error = await provider.get().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

interface Case {
  readonly error: () => unknown;
  readonly code: CredentialsErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly message: RegExp;
  /** Whether the SDK error itself is kept as the cause. */
  readonly keepsCause: boolean;
}

const cases: Record<string, Case> = {
  ResourceNotFoundException: {
    error: () => new ResourceNotFoundException({ $metadata: meta(400), message: "can't find" }),
    code: 'SecretNotFound',
    retryable: false,
    status: 400,
    message: /has no secret ".*sls-AbCdEf"/,
    keepsCause: true,
  },
  AccessDeniedException: {
    error: () => serviceError('AccessDeniedException', 400),
    code: 'SecretAccessDenied',
    retryable: false,
    status: 400,
    message: /access to secret ".*" was denied \(AccessDeniedException\)/,
    keepsCause: true,
  },
  'any 403': {
    error: () => serviceError('SomethingForbidden', 403),
    code: 'SecretAccessDenied',
    retryable: false,
    status: 403,
    message: /was denied/,
    keepsCause: true,
  },
  DecryptionFailure: {
    error: () => new DecryptionFailure({ $metadata: meta(400), message: 'kms' }),
    code: 'SecretAccessDenied',
    retryable: false,
    status: 400,
    message: /cannot decrypt secret ".*" with its KMS key/,
    keepsCause: true,
  },
  InvalidRequestException: {
    error: () => new InvalidRequestException({ $metadata: meta(400), message: 'marked for deletion' }),
    code: 'SecretsManagerError',
    retryable: false,
    status: 400,
    message: /refused to read secret ".*" in its current state/,
    keepsCause: true,
  },
  ThrottlingException: {
    error: () => serviceError('ThrottlingException', 400),
    code: 'SecretsManagerThrottled',
    retryable: true,
    status: 400,
    message: /throttled reading secret/,
    keepsCause: true,
  },
  'any 429': {
    error: () => serviceError('TooManyRequests', 429),
    code: 'SecretsManagerThrottled',
    retryable: true,
    status: 429,
    message: /throttled/,
    keepsCause: true,
  },
  InternalServiceError: {
    error: () => new InternalServiceError({ $metadata: meta(500), message: 'oops' }),
    code: 'SecretsManagerUnavailable',
    retryable: true,
    status: 500,
    message: /failed reading secret ".*" \(InternalServiceError\)/,
    keepsCause: true,
  },
  'any 503': {
    error: () => serviceError('ServiceUnavailable', 503, 'server'),
    code: 'SecretsManagerUnavailable',
    retryable: true,
    status: 503,
    message: /failed reading/,
    keepsCause: true,
  },
  ECONNREFUSED: {
    error: () => network('ECONNREFUSED'),
    code: 'SecretsManagerUnavailable',
    retryable: true,
    message: /could not be reached reading secret ".*" \(ECONNREFUSED\)/,
    keepsCause: true,
  },
  ENOTFOUND: {
    error: () => network('ENOTFOUND'),
    code: 'SecretsManagerUnavailable',
    retryable: true,
    message: /could not be reached/,
    keepsCause: true,
  },
  UND_ERR_SOCKET: {
    error: () => network('UND_ERR_SOCKET'),
    code: 'SecretsManagerUnavailable',
    retryable: true,
    message: /could not be reached/,
    keepsCause: true,
  },
  TimeoutError: {
    error: timeout,
    code: 'SecretsManagerUnavailable',
    retryable: true,
    message: /failed reading secret ".*" \(TimeoutError\)/,
    keepsCause: true,
  },
  InvalidParameterException: {
    error: () => new InvalidParameterException({ $metadata: meta(400), message: 'bad' }),
    code: 'SecretsManagerError',
    retryable: false,
    status: 400,
    message: /reading secret ".*" from Secrets Manager failed \(InvalidParameterException\)/,
    keepsCause: true,
  },
  'unparseable reply': {
    error: () => Object.assign(new SyntaxError('Unexpected token'), { $metadata: meta(200) }),
    code: 'SecretsManagerError',
    retryable: true,
    status: 200,
    message: /reply that could not be parsed/,
    keepsCause: false,
  },
};

describe('SDK error mapping', () => {
  it.each(Object.entries(cases))('%s', async (_, c) => {
    const sdkError = c.error();
    sm.on(GetSecretValueCommand).rejects(sdkError as Error);
    const error = await failure();
    expect(error.code).toBe(c.code);
    expect(error.retryable).toBe(c.retryable);
    expect(error.secretId).toBe(SECRET_ID);
    expect(error.status).toBe(c.status);
    expect(error.requestId).toBe(c.status === undefined ? undefined : `req-${c.status}`);
    expect(error.message).toMatch(c.message);
    expect(error.name).toBe('CredentialsError');
    if (c.keepsCause) expect(error.cause).toBe(sdkError);
    else expect(error.cause).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: c.code, secretId: SECRET_ID });
  });

  it('maps SecretBinary and a reply without a value', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretBinary: new Uint8Array([1, 2]), $metadata: meta(200) })
      .resolvesOnce({ $metadata: meta(200) });
    await expect(failure()).resolves.toMatchObject({
      code: 'SecretBinary',
      retryable: false,
      status: 200,
      requestId: 'req-200',
      message: expect.stringMatching(/holds SecretBinary/),
    });
    await expect(failure()).resolves.toMatchObject({ code: 'SecretInvalid', message: /has no SecretString/ });
  });

  it('maps a non-Error throw without keeping it', () => {
    const error = credentialsErrorFromSdk('boom', SECRET_ID);
    expect(error).toMatchObject({ code: 'SecretsManagerError', retryable: false, secretId: SECRET_ID });
    expect(error.message).toMatch(/failed \(string\)$/);
    expect(String(error.cause)).not.toContain('boom');
  });

  it('passes a CredentialsError through unchanged', () => {
    const e = new CredentialsError('x', { code: 'SecretInvalid', secretId: 's', retryable: false });
    expect(credentialsErrorFromSdk(e, 'other')).toBe(e);
  });
});
