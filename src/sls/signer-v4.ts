/**
 * SLS request signing, version 4 (`Authorization: SLS4-HMAC-SHA256 Credential=…,Signature=…`),
 * as the official Go, Python and Java SDKs implement it:
 *
 *   canonical request = METHOD \n PATH \n QUERY \n HEADERS \n SIGNED_HEADERS \n PAYLOAD_SHA256
 *     QUERY: keys sorted, `key=value` with the value RFC 3986-encoded, a bare `key` when empty
 *     HEADERS: content-type, host, x-log-*, x-acs-* (lower-case, sorted, `name:value\n` each)
 *   string to sign = SLS4-HMAC-SHA256 \n {x-log-date} \n {yyyymmdd}/{region}/sls/aliyun_v4_request
 *                    \n hex(sha256(canonical request))
 *   signing key = HMAC-SHA256 chain from "aliyun_v4" + secret over date, region, "sls", "aliyun_v4_request"
 *
 * Unlike AWS SigV4, the signed header list is not sent: SLS rebuilds it from the headers it receives.
 */
import { createHash, createHmac } from 'node:crypto';
import { headerValue, type SignableRequest } from './signer-v1.ts';
import type { SlsCredentials } from './types.ts';

export const V4_ALGORITHM = 'SLS4-HMAC-SHA256';
/** `x-log-content-sha256` of an empty body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lower-case hex SHA-256, as `x-log-content-sha256` carries it. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `x-log-date` format: `20220808T032330Z` (UTC, no separators, no fraction). */
export function v4DateTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~`, as UTF-8. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function isSignedHeader(name: string): boolean {
  return name === 'content-type' || name === 'host' || name.startsWith('x-log-') || name.startsWith('x-acs-');
}

/** The canonical request. Reads the payload hash from the request's `x-log-content-sha256`. */
export function canonicalRequestV4(req: SignableRequest): string {
  const query = Object.keys(req.query)
    .sort(byCodeUnit)
    .map((key) => {
      const value = req.query[key] ?? '';
      return value === '' ? key : `${key}=${percentEncode(value)}`;
    })
    .join('&');
  const signed = Object.entries(req.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .filter(([name]) => isSignedHeader(name))
    .sort(([a], [b]) => byCodeUnit(a, b));
  return [
    req.method.toUpperCase(),
    req.path,
    query,
    signed.map(([name, value]) => `${name}:${value}\n`).join(''),
    signed.map(([name]) => name).join(';'),
    headerValue(req.headers, 'x-log-content-sha256') || EMPTY_SHA256,
  ].join('\n');
}

/** `{yyyymmdd}/{region}/sls/aliyun_v4_request` */
export function credentialScope(dateTime: string, region: string): string {
  return `${dateTime.slice(0, 8)}/${region}/sls/aliyun_v4_request`;
}

/** The string whose HMAC is the signature. `dateTime` is the request's `x-log-date`. */
export function stringToSignV4(canonicalRequest: string, dateTime: string, region: string): string {
  return [V4_ALGORITHM, dateTime, credentialScope(dateTime, region), sha256Hex(canonicalRequest)].join('\n');
}

const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** The day- and region-scoped key. */
export function signingKeyV4(secret: string, day: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`aliyun_v4${secret}`, day), region), 'sls'), 'aliyun_v4_request');
}

/** The last key derived: it holds for a whole day, so most requests skip four HMACs. */
let lastKey: { secret: string; day: string; region: string; key: Buffer } | undefined;

function cachedSigningKey(secret: string, day: string, region: string): Buffer {
  if (lastKey?.secret !== secret || lastKey.day !== day || lastKey.region !== region) {
    lastKey = { secret, day, region, key: signingKeyV4(secret, day, region) };
  }
  return lastKey.key;
}

/**
 * The v4 `Authorization` header value. `req.headers` must already hold everything that will be
 * sent, `x-log-date` and `x-log-content-sha256` included.
 */
export function authorizationV4(credentials: SlsCredentials, region: string, req: SignableRequest): string {
  const dateTime = headerValue(req.headers, 'x-log-date');
  if (!/^\d{8}T\d{6}Z$/.test(dateTime)) throw new Error('v4 signing needs x-log-date as yyyymmddThhmmssZ');
  if (region === '') throw new Error('v4 signing needs a region');
  const signature = hmac(
    cachedSigningKey(credentials.accessKeySecret, dateTime.slice(0, 8), region),
    stringToSignV4(canonicalRequestV4(req), dateTime, region),
  ).toString('hex');
  return `${V4_ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope(dateTime, region)},Signature=${signature}`;
}
