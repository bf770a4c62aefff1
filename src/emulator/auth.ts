/**
 * Verifies SLS v1 signatures on requests as they arrived on the wire. Deliberately written
 * from the received bytes (raw header list, raw URL) rather than by calling the client's
 * signer, so a canonicalisation mistake in the client cannot hide behind the same mistake here.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { EmulatorError } from './model.ts';
import type { EmulatorKey } from './types.ts';

export interface WireRequest {
  readonly method: string;
  /** The request target as received: path and query string. */
  readonly rawUrl: string;
  /** `IncomingMessage.rawHeaders`: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

function headerValues(raw: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    map.set(name, map.has(name) ? `${map.get(name)},${value}` : value);
  }
  return map;
}

/** Path (percent-decoded) then `?k=v&...` with decoded parameters sorted by name. */
function resource(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const path = decodeURIComponent(q < 0 ? rawUrl : rawUrl.slice(0, q));
  if (q < 0) return path;
  const pairs: [string, string][] = [];
  for (const part of rawUrl.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    pairs.push([k, v]);
  }
  if (pairs.length === 0) return path;
  pairs.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  return `${path}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/** The string to sign, rebuilt from the request as received. */
export function wireStringToSign(req: WireRequest): string {
  const headers = headerValues(req.rawHeaders);
  const signed = [...headers.entries()]
    .filter(([name]) => name.startsWith('x-log-') || name.startsWith('x-acs-'))
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let text = `${req.method}\n${headers.get('content-md5') ?? ''}\n${headers.get('content-type') ?? ''}\n${headers.get('date') ?? ''}\n`;
  for (const [name, value] of signed) text += `${name}:${value.trim()}\n`;
  return text + resource(req.rawUrl);
}

export interface VerifyOptions {
  readonly keys: ReadonlyMap<string, EmulatorKey>;
  readonly now: number;
  readonly maxClockSkewMs: number;
}

/**
 * Checks the headers SLS requires, Content-MD5, the key, the STS token, the signature and the
 * clock skew, in that order; throws the `EmulatorError` SLS would answer with.
 */
export function verifyRequest(req: WireRequest, options: VerifyOptions): EmulatorKey {
  const headers = headerValues(req.rawHeaders);
  if (!headers.has('x-log-apiversion')) {
    throw new EmulatorError(400, 'MissingAPIVersion', 'x-log-apiversion does not exist in http header');
  }
  if (headers.get('x-log-apiversion') !== '0.6.0') {
    throw new EmulatorError(
      400,
      'InvalidAPIVersion',
      `x-log-apiversion ${headers.get('x-log-apiversion')} is unsupported`,
    );
  }
  if (headers.get('x-log-signaturemethod') !== 'hmac-sha1') {
    throw new EmulatorError(400, 'InvalidSignatureMethod', 'x-log-signaturemethod must be hmac-sha1');
  }
  const dateText = headers.get('date');
  if (dateText === undefined)
    throw new EmulatorError(400, 'MissingDate', 'Date does not exist in http header');
  const date = Date.parse(dateText);
  if (!Number.isFinite(date) || !dateText.endsWith('GMT')) {
    throw new EmulatorError(400, 'InvalidDateFormat', `Date ${dateText} must follow RFC822`);
  }
  if (req.body.length > 0) {
    const declared = headers.get('content-md5');
    if (declared === undefined) {
      throw new EmulatorError(
        400,
        'MissingContentMD5',
        'Content-MD5 does not exist in http header when body is not empty',
      );
    }
    if (headers.get('content-type') === undefined) {
      throw new EmulatorError(
        400,
        'MissingContentType',
        'Content-Type does not exist in http header when body is not empty',
      );
    }
    const actual = createHash('md5').update(req.body).digest('hex').toUpperCase();
    if (declared !== actual) {
      throw new EmulatorError(400, 'InvalidContentMD5', 'Content-MD5 does not match the body');
    }
  }
  const auth = /^LOG ([^:\s]+):(\S+)$/.exec(headers.get('authorization') ?? '');
  if (auth === null)
    throw new EmulatorError(401, 'Unauthorized', 'Authorization header is missing or malformed');
  const [, accessKeyId = '', signature = ''] = auth;
  const key = options.keys.get(accessKeyId);
  // Real SLS answers 401 Unauthorized, with different messages, for all of these.
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
  // Compared as text: Buffer.from(x, 'base64') would also accept URL-safe, unpadded or padded-
  // with-junk forms that SLS refuses.
  const expected = Buffer.from(
    createHmac('sha1', key.accessKeySecret).update(wireStringToSign(req), 'utf8').digest('base64'),
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    // Real SLS echoes the signature here; so do we, so the client's redaction is tested.
    throw new EmulatorError(401, 'SignatureNotMatch', `signature ${signature} not match`);
  }
  if (Math.abs(date - options.now) > options.maxClockSkewMs) {
    throw new EmulatorError(
      400,
      'RequestTimeExpired',
      `Request time ${dateText} has been expired while server time is ${new Date(options.now).toUTCString()}.`,
    );
  }
  return key;
}
