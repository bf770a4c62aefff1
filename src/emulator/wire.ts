/**
 * A request as it arrived on the socket, and the few readings of it that signature checks need.
 * Everything here works from the raw header list and the raw request target, never from what a
 * client meant to send.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SignatureScheme } from './types.ts';

export interface WireRequest {
  readonly method: string;
  /** The request target as received: path and query string. */
  readonly rawUrl: string;
  /** `IncomingMessage.rawHeaders`: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** What the common checks need from a parsed signature, whatever its version. */
export interface ParsedSignature {
  readonly scheme: SignatureScheme;
  readonly accessKeyId: string;
  /** The signature as sent. */
  readonly signature: string;
  /** When the client says it signed, epoch ms, for the clock-skew check. */
  readonly signedAt: number;
  /** The request time as sent, for messages. */
  readonly signedAtText: string;
  /** Whether the request carries exactly the signature `secret` gives. */
  matches(secret: string): boolean;
  /** Why it may not match, beyond a wrong secret (kept out of the error when empty). */
  readonly hint: string;
}

/** Header values by lower-case name; repeated headers are joined with `,` as HTTP allows. */
export function headerMap(raw: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = (raw[i + 1] as string).trim();
    const seen = map.get(name);
    map.set(name, seen === undefined ? value : `${seen},${value}`);
  }
  return map;
}

/** The path part of the request target, exactly as sent (still percent-encoded). */
export function rawPath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  return q < 0 ? rawUrl : rawUrl.slice(0, q);
}

/** Percent-decoding that keeps a malformed escape as sent (the signature check then fails). */
function tolerantDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Form-style decoding of a query name or value: `+` is a space. */
const decode = (text: string): string => tolerantDecode(text.replace(/\+/g, ' '));

/** The path, percent-decoded. */
export const decodedPath = (rawUrl: string): string => tolerantDecode(rawPath(rawUrl));

/** The query's `[name, value]` pairs, decoded, in the order sent; a bare `name` has value ''. */
export function queryPairs(rawUrl: string): [string, string][] {
  const q = rawUrl.indexOf('?');
  if (q < 0) return [];
  const pairs: [string, string][] = [];
  for (const part of rawUrl.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
  }
  return pairs;
}

/** Byte-wise order of UTF-8 strings, as servers sort names. */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Constant-time text comparison (the length is not secret). */
export function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
