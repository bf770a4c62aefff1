/**
 * SLS request signing, version 1 (`Authorization: LOG accessKeyId:signature`), HMAC-SHA1 over
 *
 *   VERB \n Content-MD5 \n Content-Type \n Date \n
 *   x-log-* and x-acs-* headers (lower-case name, sorted, `name:value\n` each)
 *   canonical resource (path, then `?` and the query sorted by name as `k=v` joined by `&`)
 */
import { createHash, createHmac } from 'node:crypto';
import type { SlsCredentials } from './types.ts';

/** What `x-log-signaturemethod` says for this signature (SLS also accepts `hmac-sha256`). */
export const SIGNATURE_METHOD = 'hmac-sha1';

/** A request as the signers see it: every header that will be sent, by name. */
export interface SignableRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

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

/** The value of a header, whatever the case of its name; '' when absent. */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return '';
}

/** The exact string that is signed. */
export function stringToSign(req: SignableRequest): string {
  return [
    req.method.toUpperCase(),
    headerValue(req.headers, 'content-md5'),
    headerValue(req.headers, 'content-type'),
    headerValue(req.headers, 'date'),
    canonicalHeaders(req.headers) + canonicalResource(req.path, req.query),
  ].join('\n');
}

/** Base64 HMAC-SHA1 of `text` under `secret`. */
export function hmacSha1Base64(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

/** The v1 `Authorization` header value for a request. */
export function authorization(credentials: SlsCredentials, req: SignableRequest): string {
  return `LOG ${credentials.accessKeyId}:${hmacSha1Base64(credentials.accessKeySecret, stringToSign(req))}`;
}
