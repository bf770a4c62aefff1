/**
 * SLS request signing, version 1 (`Authorization: LOG accessKeyId:signature`), HMAC-SHA1 over
 *
 *   VERB \n Content-MD5 \n Content-Type \n Date \n
 *   x-log-* and x-acs-* headers (lower-case name, sorted, `name:value\n` each)
 *   canonical resource (path, then `?` and the query sorted by name as `k=v` joined by `&`)
 */
import { createHash, createHmac } from 'node:crypto';
import type { SlsCredentials } from './types.ts';

export const API_VERSION = '0.6.0';
export const SIGNATURE_METHOD = 'hmac-sha1';

/** Upper-case hex MD5 of the body, as SLS wants it in `Content-MD5`. */
export function contentMd5(body: string | Uint8Array): string {
  return createHash('md5').update(body).digest('hex').toUpperCase();
}

/** `path?k=v&k2=v2` with the query sorted by name; values are used as given (not encoded). */
export function canonicalResource(path: string, query: Readonly<Record<string, string>>): string {
  const keys = Object.keys(query).sort();
  if (keys.length === 0) return path;
  return `${path}?${keys.map((k) => `${k}=${query[k]}`).join('&')}`;
}

/** The `x-log-*`/`x-acs-*` headers, lower-cased and sorted, one `name:value\n` each. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => name.startsWith('x-log-') || name.startsWith('x-acs-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
}

export interface SignableRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** All headers to send; the signer reads Content-MD5, Content-Type, Date and x-log-/x-acs-. */
  readonly headers: Readonly<Record<string, string>>;
}

function header(headers: Readonly<Record<string, string>>, name: string): string {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return '';
}

/** The exact string that is signed. */
export function stringToSign(req: SignableRequest): string {
  return [
    req.method.toUpperCase(),
    header(req.headers, 'content-md5'),
    header(req.headers, 'content-type'),
    header(req.headers, 'date'),
    canonicalHeaders(req.headers) + canonicalResource(req.path, req.query),
  ].join('\n');
}

/** Base64 HMAC-SHA1 of `text` under `secret`. */
export function hmacSha1Base64(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

/** The `Authorization` header value for a request. */
export function authorization(credentials: SlsCredentials, req: SignableRequest): string {
  return `LOG ${credentials.accessKeyId}:${hmacSha1Base64(credentials.accessKeySecret, stringToSign(req))}`;
}

export interface PreparedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
}

/**
 * Builds the full header set of a request and signs it. Bodies get `Content-MD5` and
 * `Content-Type: application/json`; a body-less GET carries neither, like the official SDKs.
 * `date` is the instant to put in `Date` (the caller corrects it for known clock skew).
 */
export function signedHeaders(
  credentials: SlsCredentials,
  req: PreparedRequest,
  host: string,
  date: Date,
  userAgent: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    host,
    date: date.toUTCString(),
    'user-agent': userAgent,
    'x-log-apiversion': API_VERSION,
    'x-log-signaturemethod': SIGNATURE_METHOD,
    'x-log-bodyrawsize': String(req.body?.byteLength ?? 0),
  };
  if (req.body !== undefined) {
    headers['content-md5'] = contentMd5(req.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(req.body.byteLength);
  }
  if (credentials.securityToken) headers['x-acs-security-token'] = credentials.securityToken;
  headers.authorization = authorization(credentials, { ...req, headers });
  return headers;
}
