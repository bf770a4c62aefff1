/**
 * v4 signing against the official SDKs' own test vectors (aliyun-log-go-sdk
 * `signature_v4_test.go`, aliyun-log-python-sdk `tests/unit/test_auth.py`: the same six cases in
 * both), reproduced through this client's signer API.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../../src/sls/signer.ts';
import {
  authorizationV4,
  canonicalRequestV4,
  EMPTY_SHA256,
  percentEncode,
  sha256Hex,
  signingKeyV4,
  stringToSignV4,
  v4DateTime,
} from '../../../src/sls/signer-v4.ts';

const credentials = { accessKeyId: 'acsddda21dsd', accessKeySecret: 'zxasdasdasw2' };
const BODY = 'adasd= -asd zcas';
const DATE_TIME = '20220808T032330Z';
/** The SDK tests' odd headers: only x-log-test and x-acs-ppp are signed. */
const odd = {
  hello: 'world',
  'hello-Text': 'a12X- ',
  ' Ko ': '',
  'x-log-test': 'het123',
  'x-acs-ppp': 'dds',
};
/** The SDK tests' odd query: a key with spaces, an empty value (bare key), an empty key. */
const params = { ' abc': 'efg', ' agc ': '', '': 'efg', 'A-bc': 'eFg' };

/** What the SDKs' signers add before signing: the date and the payload hash. */
const headers = (body: string, extra: Record<string, string>) => ({
  ...extra,
  'x-log-date': DATE_TIME,
  'x-log-content-sha256': sha256Hex(body),
});
const signatureOf = (auth: string) => /Signature=([0-9a-f]{64})$/.exec(auth)?.[1];

describe('the official v4 test vectors', () => {
  it('POST /logstores in cn-shanghai, no query, no other headers (the vector of issue 10)', () => {
    const auth = authorizationV4(credentials, 'cn-shanghai', {
      method: 'POST',
      path: '/logstores',
      query: {},
      headers: headers(BODY, {}),
    });
    expect(auth).toBe(
      'SLS4-HMAC-SHA256 Credential=acsddda21dsd/20220808/cn-shanghai/sls/aliyun_v4_request,' +
        'Signature=8a10a5e723cb2e75964816de660b2c16a58af8bc0261f7f0722d832468c76ce8',
    );
  });

  it.each([
    [
      'POST with odd query and headers',
      'POST',
      '/logstores',
      BODY,
      {},
      'a98f5632e93836e63839cd836a54055f480020a9364ca944e2d34f2eb9bf1bed',
    ],
    [
      'POST with an empty body',
      'POST',
      '/logstores',
      '',
      {},
      '5a66d8f8051983e0e9d08e0f960ef9252ef971eead5bb5c7acec8617a2eb2701',
    ],
    [
      'GET with an empty body',
      'GET',
      '/logstores',
      '',
      {},
      'd92741852500791d662a8d469ff61627c0559ecd86c3f59b7bf6772b6c62666a',
    ],
    [
      'POST with reserved characters in path and query',
      'POST',
      '/logstores/hello/a+*~bb/cc',
      BODY,
      { 'abs-ij*asd/vc': 'a~js+d ada', 'a abAas123/vc': 'a~jdad a2ADFs+d ada' },
      '2c204068e961a8813a6bcf7ac422f7fa6e9bf9a5da493e0165dfe100854d18ff',
    ],
  ] as const)('%s in cn-hangzhou', (_name, method, path, body, extraQuery, signature) => {
    const auth = authorizationV4(credentials, 'cn-hangzhou', {
      method,
      path,
      query: { ...params, ...extraQuery },
      headers: headers(body, odd),
    });
    expect(
      auth.startsWith('SLS4-HMAC-SHA256 Credential=acsddda21dsd/20220808/cn-hangzhou/sls/aliyun_v4_request,'),
    ).toBe(true);
    expect(signatureOf(auth)).toBe(signature);
  });

  it('percent-encodes query values as RFC 3986, UTF-8 included', () => {
    expect(percentEncode('123abc!@#$%^&*()-=_+ ~|\\/')).toBe(
      '123abc%21%40%23%24%25%5E%26%2A%28%29-%3D_%2B%20~%7C%5C%2F',
    );
    expect(percentEncode('!@#$%^&*()=-+ ~./_[()]%20你好\0\u0111❤😓')).toBe(
      '%21%40%23%24%25%5E%26%2A%28%29%3D-%2B%20~.%2F_%5B%28%29%5D%2520%E4%BD%A0%E5%A5%BD%00%C4%91%E2%9D%A4%F0%9F%98%93',
    );
  });
});

describe('the day key', () => {
  /** The signature with a key derived afresh, bypassing the signer's cache. */
  const uncached = (secret: string, region: string, req: Parameters<typeof canonicalRequestV4>[0]) => {
    const dateTime = req.headers['x-log-date'] ?? '';
    return createHmac('sha256', signingKeyV4(secret, dateTime.slice(0, 8), region))
      .update(stringToSignV4(canonicalRequestV4(req), dateTime, region))
      .digest('hex');
  };

  it('is derived again when the secret, day or region changes (it is cached between requests)', () => {
    const request = { method: 'POST', path: '/logstores', query: {}, headers: headers(BODY, {}) };
    const nextDay = { ...request, headers: { ...request.headers, 'x-log-date': '20220809T000001Z' } };
    const cases = [
      [credentials.accessKeySecret, 'cn-shanghai', request],
      ['another-secret', 'cn-shanghai', request],
      ['another-secret', 'cn-hangzhou', request],
      ['another-secret', 'cn-hangzhou', nextDay],
      [credentials.accessKeySecret, 'cn-shanghai', request],
    ] as const;
    for (const [secret, region, req] of cases) {
      const auth = authorizationV4({ ...credentials, accessKeySecret: secret }, region, req);
      expect(signatureOf(auth)).toBe(uncached(secret, region, req));
    }
    expect(uncached(credentials.accessKeySecret, 'cn-shanghai', request)).toBe(
      '8a10a5e723cb2e75964816de660b2c16a58af8bc0261f7f0722d832468c76ce8',
    );
  });
});

describe('canonical request', () => {
  it('signs content-type, host, x-log-* and x-acs-* only; a bare key for an empty value', () => {
    const text = canonicalRequestV4({
      method: 'post',
      path: '/logstores/l/consumergroups/g',
      query: { type: 'checkpoint', forceSuccess: 'true', consumer: '' },
      headers: {
        Host: 'p.cn-hangzhou.log.aliyuncs.com',
        'Content-Type': 'application/json',
        'User-Agent': 'ua',
        'Content-Length': '3',
        'X-Log-Date': DATE_TIME,
        'x-log-content-sha256': sha256Hex('[0]'),
        'x-acs-security-token': ' t ',
      },
    });
    expect(text).toBe(
      [
        'POST',
        '/logstores/l/consumergroups/g',
        'consumer&forceSuccess=true&type=checkpoint',
        `content-type:application/json\nhost:p.cn-hangzhou.log.aliyuncs.com\nx-acs-security-token:t\nx-log-content-sha256:${sha256Hex('[0]')}\nx-log-date:${DATE_TIME}\n`,
        'content-type;host;x-acs-security-token;x-log-content-sha256;x-log-date',
        sha256Hex('[0]'),
      ].join('\n'),
    );
  });

  it('refuses to sign without a date or a region', () => {
    const req = { method: 'GET', path: '/', query: {}, headers: {} };
    expect(() => authorizationV4(credentials, 'cn-hangzhou', req)).toThrow(/x-log-date/);
    expect(() => authorizationV4(credentials, '', { ...req, headers: { 'x-log-date': DATE_TIME } })).toThrow(
      /region/,
    );
  });
});

describe('signedHeaders with v4', () => {
  const date = new Date('2022-08-08T03:23:30.123Z');

  it('formats x-log-date without separators or fraction', () => {
    expect(v4DateTime(date)).toBe(DATE_TIME);
  });

  it('sends x-log-date and x-log-content-sha256 instead of Date, Content-MD5 and x-log-signaturemethod', () => {
    const body = new TextEncoder().encode('[0]');
    const out = signedHeaders(
      { ...credentials, securityToken: 'sts-token' },
      {
        method: 'POST',
        path: '/logstores/l/consumergroups/g',
        query: { type: 'heartbeat', consumer: 'c' },
        body,
      },
      'p.cn-hangzhou.log.aliyuncs.com',
      date,
      'ua',
      { version: 'v4', region: 'cn-hangzhou' },
    );
    expect(out).toMatchObject({
      host: 'p.cn-hangzhou.log.aliyuncs.com',
      'x-log-apiversion': '0.6.0',
      'x-log-bodyrawsize': '3',
      'content-type': 'application/json',
      'x-acs-security-token': 'sts-token',
      'x-log-date': DATE_TIME,
      'x-log-content-sha256': sha256Hex('[0]'),
    });
    expect(out).not.toHaveProperty('date');
    expect(out).not.toHaveProperty('content-md5');
    expect(out).not.toHaveProperty('x-log-signaturemethod');
    expect(out.authorization).toBe(
      authorizationV4(credentials, 'cn-hangzhou', {
        method: 'POST',
        path: '/logstores/l/consumergroups/g',
        query: { type: 'heartbeat', consumer: 'c' },
        headers: { ...out, authorization: '' },
      }),
    );
  });

  it('hashes a body-less GET as the empty string', () => {
    const out = signedHeaders(
      credentials,
      { method: 'GET', path: '/logstores/l/consumergroups/g', query: {} },
      'p.cn-hangzhou.log.aliyuncs.com',
      date,
      'ua',
      { version: 'v4', region: 'cn-hangzhou' },
    );
    expect(out['x-log-content-sha256']).toBe(EMPTY_SHA256);
    expect(out).not.toHaveProperty('content-type');
    expect(out.authorization).toMatch(/^SLS4-HMAC-SHA256 Credential=acsddda21dsd\/20220808\/cn-hangzhou\//);
  });
});
