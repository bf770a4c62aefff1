/**
 * Builds the full header set of an SLS request and signs it, with signature version 1
 * (`./signer-v1.ts`, the default) or 4 (`./signer-v4.ts`).
 */
import { authorization, contentMd5, SIGNATURE_METHOD } from './signer-v1.ts';
import { authorizationV4, EMPTY_SHA256, sha256Hex, v4DateTime } from './signer-v4.ts';
import type { SlsCredentials } from './types.ts';

export const API_VERSION = '0.6.0';

/** How to sign: v4 needs the SLS region (e.g. `cn-hangzhou`) its key is scoped to. */
export type Signing = { readonly version: 'v1' } | { readonly version: 'v4'; readonly region: string };

export const SIGN_V1: Signing = Object.freeze({ version: 'v1' });

/** What a client is told: v4 may leave the region out, to be read from each target's endpoint. */
export type SigningOptions = Signing | { readonly version: 'v4'; readonly region?: string | undefined };

export interface PreparedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
}

/**
 * Builds the full header set of a request and signs it. Bodies get `Content-Type:
 * application/json` and their hash (`Content-MD5` in v1, `x-log-content-sha256` in v4); a
 * body-less GET carries no content type, like the official SDKs. `date` is the instant to sign
 * with (the caller corrects it for known clock skew): `Date` in v1, `x-log-date` in v4.
 */
export function signedHeaders(
  credentials: SlsCredentials,
  req: PreparedRequest,
  host: string,
  date: Date,
  userAgent: string,
  signing: Signing = SIGN_V1,
): Record<string, string> {
  const headers: Record<string, string> = {
    host,
    'user-agent': userAgent,
    'x-log-apiversion': API_VERSION,
    'x-log-bodyrawsize': String(req.body?.byteLength ?? 0),
  };
  if (req.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(req.body.byteLength);
  }
  if (credentials.securityToken) headers['x-acs-security-token'] = credentials.securityToken;
  if (signing.version === 'v4') {
    headers['x-log-date'] = v4DateTime(date);
    headers['x-log-content-sha256'] = req.body?.byteLength ? sha256Hex(req.body) : EMPTY_SHA256;
    headers.authorization = authorizationV4(credentials, signing.region, { ...req, headers });
    return headers;
  }
  headers.date = date.toUTCString();
  headers['x-log-signaturemethod'] = SIGNATURE_METHOD;
  if (req.body !== undefined) headers['content-md5'] = contentMd5(req.body);
  headers.authorization = authorization(credentials, { ...req, headers });
  return headers;
}
