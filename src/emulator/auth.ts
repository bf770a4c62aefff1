/**
 * Verifies SLS request signatures as they arrived on the wire: version 1 (`./auth-v1.ts`, HMAC-SHA1
 * or HMAC-SHA256) and version 4 (`./auth-v4.ts`). Deliberately rebuilt from the received bytes
 * (raw header list, raw URL) rather than by calling the client's signer, so a canonicalisation
 * mistake in the client cannot hide behind the same mistake here.
 */
import { parseV1 } from './auth-v1.ts';
import { parseV4 } from './auth-v4.ts';
import { EmulatorError } from './model.ts';
import type { EmulatorKey, SignatureScheme } from './types.ts';
import { headerMap, type WireRequest } from './wire.ts';

export interface VerifyOptions {
  readonly keys: ReadonlyMap<string, EmulatorKey>;
  readonly now: number;
  readonly maxClockSkewMs: number;
  /** The region this endpoint serves: v4 signatures must be scoped to it. */
  readonly region: string;
}

export interface Verified {
  readonly key: EmulatorKey;
  readonly scheme: SignatureScheme;
}

/**
 * Checks, in this order: the API version, the Authorization header's form, the version's own
 * headers (signature method, date, body hash), Content-Type on a body, the key, the STS token,
 * the signature and the clock skew. Throws the `EmulatorError` SLS would answer with.
 */
export function verifyRequest(req: WireRequest, options: VerifyOptions): Verified {
  const headers = headerMap(req.rawHeaders);
  const version = headers.get('x-log-apiversion');
  if (version === undefined) {
    throw new EmulatorError(400, 'MissingAPIVersion', 'x-log-apiversion does not exist in http header');
  }
  if (version !== '0.6.0') {
    throw new EmulatorError(400, 'InvalidAPIVersion', `x-log-apiversion ${version} is unsupported`);
  }
  const authorization = headers.get('authorization');
  if (authorization === undefined) {
    throw new EmulatorError(
      401,
      'Unauthorized',
      'The request is not signed: Authorization does not exist in http header',
    );
  }
  const parsed = authorization.startsWith('SLS4-HMAC-SHA256 ')
    ? parseV4(req, headers, options.region)
    : parseV1(req, headers);
  if (req.body.length > 0 && !headers.get('content-type')) {
    throw new EmulatorError(
      400,
      'MissingContentType',
      'Content-Type does not exist in http header when body is not empty.',
    );
  }
  const { accessKeyId } = parsed;
  const key = options.keys.get(accessKeyId);
  // SLS answers 401 Unauthorized, with different messages, for all of these.
  if (key === undefined)
    throw new EmulatorError(401, 'Unauthorized', `AccessKeyId not found: ${accessKeyId}`);
  if (key.disabled) throw new EmulatorError(401, 'Unauthorized', `AccessKeyId is disabled: ${accessKeyId}`);
  if (key.securityToken !== undefined) {
    if (headers.get('x-acs-security-token') !== key.securityToken) {
      throw new EmulatorError(401, 'Unauthorized', 'The security token you provided is invalid.');
    }
    if (key.expiresAt !== undefined && options.now >= key.expiresAt) {
      throw new EmulatorError(401, 'Unauthorized', 'The security token you provided has expired.');
    }
  }
  if (!parsed.matches(key.accessKeySecret)) {
    // SLS echoes the signature here; so do we, so the client's redaction is tested.
    throw new EmulatorError(
      401,
      'SignatureNotMatch',
      `Signature ${parsed.signature} not matched.${parsed.hint ? ` (${parsed.hint})` : ''}`,
    );
  }
  if (Math.abs(parsed.signedAt - options.now) > options.maxClockSkewMs) {
    throw new EmulatorError(
      400,
      'RequestTimeExpired',
      `Request time ${parsed.signedAtText} has been expired while server time is ${new Date(options.now).toUTCString()}.`,
    );
  }
  return { key, scheme: parsed.scheme };
}
