/**
 * Signature version 4 as SLS checks it (the official Go, Python and Java SDKs and
 * `@alicloud/gateway-sls` all sign this way):
 *
 *   Authorization: SLS4-HMAC-SHA256 Credential={AccessKeyId}/{yyyymmdd}/{region}/sls/aliyun_v4_request,Signature={hex}
 *
 * The signature is a hex HMAC-SHA256, under a key derived from the secret for that day and region,
 * of `SLS4-HMAC-SHA256 \n {x-log-date} \n {scope} \n hex(sha256(canonical request))`, where the
 * canonical request is built from what arrived: method, path as sent, sorted query (values
 * RFC 3986-encoded, a bare name for an empty value), every received content-type, host, x-log-*
 * and x-acs-* header, their names joined by `;`, and the SHA-256 of the body. No list of signed
 * headers travels with the request, so a header added on the way breaks the signature.
 */
import { createHash, createHmac } from 'node:crypto';
import { EmulatorError } from './model.ts';
import { byBytes, type ParsedSignature, queryPairs, rawPath, sameText, type WireRequest } from './wire.ts';

const AUTHORIZATION =
  /^SLS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/sls\/aliyun_v4_request,\s*Signature=([0-9a-f]{64})$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** RFC 3986 encoding of a query value: every byte outside the unreserved set becomes %XX. */
function rfc3986(value: string): string {
  let out = '';
  for (const ch of value) {
    if (UNRESERVED.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Epoch ms of a `yyyymmddThhmmssZ` time, or NaN (also for a rolled-over one like month 13). */
function isoBasicTime(text: string): number {
  const m = ISO_BASIC.exec(text);
  if (m === null) return Number.NaN;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '') === text.slice(0, 15) ? ms : Number.NaN;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const mac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The canonical request SLS rebuilds from the request as received. */
export function v4CanonicalRequest(req: WireRequest, headers: ReadonlyMap<string, string>): string {
  const query = queryPairs(req.rawUrl)
    .sort(([a], [b]) => byBytes(a, b))
    .map(([name, value]) => (value === '' ? name : `${name}=${rfc3986(value)}`))
    .join('&');
  const signed = [...headers.keys()]
    .filter((n) => n === 'host' || n === 'content-type' || n.startsWith('x-log-') || n.startsWith('x-acs-'))
    .sort(byBytes);
  const block = signed.map((name) => `${name}:${headers.get(name)}\n`).join('');
  return `${req.method}\n${rawPath(req.rawUrl)}\n${query}\n${block}\n${signed.join(';')}\n${sha256(req.body)}`;
}

/** The hex signature of a request for `secret`, the request's `x-log-date` and `region`. */
export function v4Signature(
  canonicalRequest: string,
  xLogDate: string,
  secret: string,
  region: string,
): string {
  const day = xLogDate.slice(0, 8);
  const scope = `${day}/${region}/sls/aliyun_v4_request`;
  let key: string | Buffer = `aliyun_v4${secret}`;
  for (const part of [day, region, 'sls', 'aliyun_v4_request']) key = mac(key, part);
  return mac(key, `SLS4-HMAC-SHA256\n${xLogDate}\n${scope}\n${sha256(canonicalRequest)}`).toString('hex');
}

/** Reads a v4 request: its credential, its time, and how to check its signature in `region`. */
export function parseV4(
  req: WireRequest,
  headers: ReadonlyMap<string, string>,
  region: string,
): ParsedSignature {
  const auth = AUTHORIZATION.exec(headers.get('authorization') ?? '');
  if (auth === null) {
    throw new EmulatorError(
      400,
      'ParameterInvalid',
      'Http extend authorization : authorization pair is invalid.',
    );
  }
  const [, accessKeyId = '', scopeDay = '', scopeRegion = '', signature = ''] = auth;
  const xLogDate = headers.get('x-log-date');
  if (xLogDate === undefined)
    throw new EmulatorError(400, 'MissingDate', 'x-log-date does not exist in http header');
  const signedAt = isoBasicTime(xLogDate);
  if (Number.isNaN(signedAt)) {
    throw new EmulatorError(
      400,
      'InvalidRequestTime',
      `Request time ${xLogDate} not follow ISO 8601 (yyyymmddThhmmssZ).`,
    );
  }
  const canonical = v4CanonicalRequest(req, headers);
  const hints: string[] = [];
  if (scopeDay !== xLogDate.slice(0, 8))
    hints.push(`the credential scope date ${scopeDay} is not the day of x-log-date`);
  if (scopeRegion !== region)
    hints.push(`the credential scope region ${scopeRegion} is not this endpoint's region ${region}`);
  if (headers.get('x-log-content-sha256') !== sha256(req.body))
    hints.push('x-log-content-sha256 does not match the body');
  return {
    scheme: 'v4',
    accessKeyId,
    signature,
    signedAt,
    signedAtText: xLogDate,
    hint: hints.join('; '),
    matches: (secret) =>
      scopeDay === xLogDate.slice(0, 8) &&
      scopeRegion === region &&
      sameText(signature, v4Signature(canonical, xLogDate, secret, region)),
  };
}
