/**
 * Signature version 1 as SLS checks it: `Authorization: LOG {AccessKeyId}:{base64 HMAC}` over
 *
 *   VERB \n Content-MD5 \n Content-Type \n Date \n {x-log-*, x-acs-* as name:value\n, sorted} {resource}
 *
 * with the HMAC named by `x-log-signaturemethod`: `hmac-sha1` (the docs, the Go, Python and Java
 * SDKs) or `hmac-sha256` (`@alicloud/gateway-sls`, which the current Node SDK uses). The
 * resource is the decoded path, then `?` and the decoded query sorted by name as `k=v`.
 */
import { createHash, createHmac } from 'node:crypto';
import { EmulatorError } from './model.ts';
import {
  byBytes,
  decodedPath,
  type ParsedSignature,
  queryPairs,
  sameText,
  type WireRequest,
} from './wire.ts';

const HASHES = { 'hmac-sha1': 'sha1', 'hmac-sha256': 'sha256' } as const;

/** The canonical resource: decoded path, `?`, decoded `k=v` pairs sorted by name. */
function resource(rawUrl: string): string {
  const path = decodedPath(rawUrl);
  const pairs = queryPairs(rawUrl).sort(([a], [b]) => byBytes(a, b));
  return pairs.length === 0 ? path : `${path}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/**
 * The v1 string to sign, rebuilt from the request as received. SLS's common request headers
 * page: `x-log-date`, when present, replaces `Date` (for platforms and proxies that do not let
 * `Date` through) and is itself left out of the signed headers; the Python SDK sends one.
 */
export function v1StringToSign(req: WireRequest, headers: ReadonlyMap<string, string>): string {
  const signed = [...headers.entries()]
    .filter(([name]) => (name.startsWith('x-log-') && name !== 'x-log-date') || name.startsWith('x-acs-'))
    .sort(([a], [b]) => byBytes(a, b));
  const date = headers.get('x-log-date') ?? headers.get('date') ?? '';
  let text = `${req.method}\n${headers.get('content-md5') ?? ''}\n${headers.get('content-type') ?? ''}\n${date}\n`;
  for (const [name, value] of signed) text += `${name}:${value}\n`;
  return text + resource(req.rawUrl);
}

/** Reads and checks everything a v1 request needs besides the key: method, date, Content-MD5. */
export function parseV1(req: WireRequest, headers: ReadonlyMap<string, string>): ParsedSignature {
  const auth = /^LOG ([^:\s]+):(\S+)$/.exec(headers.get('authorization') ?? '');
  if (auth === null) {
    throw new EmulatorError(
      400,
      'ParameterInvalid',
      'Http extend authorization : authorization pair is invalid.',
    );
  }
  const [, accessKeyId = '', signature = ''] = auth;
  const method = headers.get('x-log-signaturemethod');
  if (method === undefined) {
    throw new EmulatorError(
      400,
      'MissingSignatureMethod',
      'x-log-signaturemethod does not exist in http header',
    );
  }
  if (method !== 'hmac-sha1' && method !== 'hmac-sha256') {
    throw new EmulatorError(400, 'InvalidSignatureMethod', `signature method ${method} is unsupported`);
  }
  const dateText = headers.get('x-log-date') ?? headers.get('date');
  if (dateText === undefined)
    throw new EmulatorError(400, 'MissingDate', 'Date does not exist in http header');
  const signedAt = Date.parse(dateText);
  if (!Number.isFinite(signedAt) || !dateText.endsWith('GMT')) {
    throw new EmulatorError(400, 'InvalidRequestTime', `Request time ${dateText} not follow RFC822 spec.`);
  }
  // Content-MD5 is optional (common request headers page); when sent, it must be the body's.
  const declared = headers.get('content-md5');
  if (req.body.length > 0 && declared) {
    if (declared !== createHash('md5').update(req.body).digest('hex').toUpperCase()) {
      throw new EmulatorError(400, 'InvalidContentMD5', 'Content-MD5 does not match the body');
    }
  }
  const text = v1StringToSign(req, headers);
  return {
    scheme: method === 'hmac-sha1' ? 'v1-hmac-sha1' : 'v1-hmac-sha256',
    accessKeyId,
    signature,
    signedAt,
    signedAtText: dateText,
    hint: '',
    // Compared as text: Buffer.from(x, 'base64') would also accept URL-safe, unpadded or
    // padded-with-junk forms that SLS refuses.
    matches: (secret) =>
      sameText(signature, createHmac(HASHES[method], secret).update(text, 'utf8').digest('base64')),
  };
}
