/**
 * The emulator's v4 verifier, fed the official SDKs' test vectors (aliyun-log-go-sdk
 * `signature_v4_test.go`, aliyun-log-python-sdk `tests/unit/test_auth.py`) as wire bytes:
 * it must compute the SDKs' signatures from what arrives, independently of our client.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { v4CanonicalRequest, v4Signature } from '../../../src/emulator/auth-v4.ts';
import { headerMap, type WireRequest } from '../../../src/emulator/wire.ts';

const SECRET = 'zxasdasdasw2';
const DATE = '20220808T032330Z';
const BODY = Buffer.from('adasd= -asd zcas');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A request as Node's parser hands it over: raw header pairs, raw target. */
function wire(method: string, rawUrl: string, body: Buffer, extra: string[] = []): WireRequest {
  return {
    method,
    rawUrl,
    body,
    rawHeaders: [
      ...extra,
      'x-log-date',
      DATE,
      'x-log-content-sha256',
      sha(body),
      'Content-Length',
      String(body.length),
    ],
  };
}

const signatureOf = (req: WireRequest, region: string) =>
  v4Signature(v4CanonicalRequest(req, headerMap(req.rawHeaders)), DATE, SECRET, region);

/** The SDK tests' headers: only x-log-test and x-acs-ppp are signed. */
const ODD_HEADERS = ['hello', 'world', 'hello-Text', 'a12X- ', 'x-log-test', 'het123', 'x-acs-ppp', 'dds'];
/** The SDK tests' query as Go's url.Values.Encode sends it (the empty key sorts first). */
const ODD_QUERY = '=efg&+abc=efg&+agc+=&A-bc=eFg';

describe('v4 vectors from the wire', () => {
  it('POST /logstores in cn-shanghai, no query, no other headers', () => {
    expect(signatureOf(wire('POST', '/logstores', BODY), 'cn-shanghai')).toBe(
      '8a10a5e723cb2e75964816de660b2c16a58af8bc0261f7f0722d832468c76ce8',
    );
  });

  it.each([
    ['POST', '/logstores', BODY, 'a98f5632e93836e63839cd836a54055f480020a9364ca944e2d34f2eb9bf1bed'],
    [
      'POST',
      '/logstores',
      Buffer.alloc(0),
      '5a66d8f8051983e0e9d08e0f960ef9252ef971eead5bb5c7acec8617a2eb2701',
    ],
    [
      'GET',
      '/logstores',
      Buffer.alloc(0),
      'd92741852500791d662a8d469ff61627c0559ecd86c3f59b7bf6772b6c62666a',
    ],
  ] as const)('%s %s with the odd query and headers (body %#)', (method, path, body, signature) => {
    expect(signatureOf(wire(method, `${path}?${ODD_QUERY}`, body, ODD_HEADERS), 'cn-hangzhou')).toBe(
      signature,
    );
  });

  it('reserved characters in the path and RFC 3986-encoded query values', () => {
    const query = `${ODD_QUERY}&abs-ij*asd%2Fvc=a~js%2Bd+ada&a+abAas123%2Fvc=a~jdad+a2ADFs%2Bd+ada`;
    expect(
      signatureOf(wire('POST', `/logstores/hello/a+*~bb/cc?${query}`, BODY, ODD_HEADERS), 'cn-hangzhou'),
    ).toBe('2c204068e961a8813a6bcf7ac422f7fa6e9bf9a5da493e0165dfe100854d18ff');
  });
});
