/**
 * The emulator accepts every signature form the official SDKs send (v1 with hmac-sha1 or
 * hmac-sha256, the Python SDK's extra x-log-date, v4) with the same key, STS token and clock
 * rules, refuses any tampering with each, and replies as SLS does.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../src/sls/http.ts';
import { type Signing, signedHeaders } from '../../src/sls/signer.ts';
import { stringToSign } from '../../src/sls/signer-v1.ts';
import { type SlsFixture, startSlsFixture, TEST_KEY } from '../helpers/sls.ts';

let f: SlsFixture;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 2 });
});
afterEach(async () => {
  await f.close();
});

const path = '/logstores/test-logstore/consumergroups/test-group';
const query = { type: 'heartbeat', consumer: 'c1' };
const url = `${path}?type=heartbeat&consumer=c1`;
const V4: Signing = { version: 'v4', region: 'cn-hangzhou' };
const encode = (text: string) => new TextEncoder().encode(text);

/** Headers of a correctly signed heartbeat with `body`. */
function signed(signing?: Signing, body = '[]', credentials = f.credentials.current): Record<string, string> {
  const { 'content-length': _, ...headers } = signedHeaders(
    credentials,
    { method: 'POST', path, query, body: encode(body) },
    'test-project.emulator',
    new Date(f.clock.now()),
    'test',
    signing,
  );
  return headers;
}

async function send(
  headers: Record<string, string>,
  options: { body?: string; url?: string; method?: 'GET' | 'POST' } = {},
): Promise<HttpResponse & { json: Record<string, unknown> }> {
  const method = options.method ?? 'POST';
  const response = await f.transport.send({
    method,
    origin: f.emulator.url,
    path: options.url ?? url,
    headers,
    body: method === 'GET' ? undefined : encode(options.body ?? '[]'),
    timeoutMs: 2_000,
  });
  const text = response.body.toString('utf8');
  return { ...response, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const outcome = (r: { status: number; json: Record<string, unknown> }) => ({
  status: r.status,
  errorCode: r.json.errorCode,
});

describe('v1 with hmac-sha256 (what @alicloud/gateway-sls sends)', () => {
  /** The v1 string to sign, HMAC-SHA256 instead of SHA1, as the current Node SDK does. */
  function sha256Signed(secret = TEST_KEY.accessKeySecret): Record<string, string> {
    const headers = { ...signed(), 'x-log-signaturemethod': 'hmac-sha256' };
    const text = stringToSign({ method: 'POST', path, query, headers });
    const signature = createHmac('sha256', secret).update(text).digest('base64');
    return { ...headers, authorization: `LOG ${TEST_KEY.accessKeyId}:${signature}` };
  }

  it('accepts it and records the scheme', async () => {
    expect((await send(sha256Signed())).status).toBe(200);
    expect(f.emulator.requests[0]?.signature).toBe('v1-hmac-sha256');
  });

  it('refuses a SHA-1 signature labelled hmac-sha256, and a wrong secret', async () => {
    expect(outcome(await send({ ...signed(), 'x-log-signaturemethod': 'hmac-sha256' }))).toEqual({
      status: 401,
      errorCode: 'SignatureNotMatch',
    });
    expect(outcome(await send(sha256Signed('wrong')))).toEqual({
      status: 401,
      errorCode: 'SignatureNotMatch',
    });
  });

  it('refuses a missing or unknown signature method', async () => {
    const { 'x-log-signaturemethod': _, ...none } = signed();
    expect(outcome(await send(none))).toEqual({ status: 400, errorCode: 'MissingSignatureMethod' });
    expect(outcome(await send({ ...signed(), 'x-log-signaturemethod': 'hmac-md5' }))).toEqual({
      status: 400,
      errorCode: 'InvalidSignatureMethod',
    });
  });
});

describe('v1 with x-log-date (the Python SDK sends a copy of Date, added after signing)', () => {
  it('accepts the unsigned copy next to Date', async () => {
    const headers = signed();
    expect((await send({ ...headers, 'x-log-date': headers.date ?? '' })).status).toBe(200);
  });

  it('lets x-log-date replace Date, in the signature and the clock check, as the docs say', async () => {
    const headers = signed();
    const stale = 'Mon, 01 Jan 2001 00:00:00 GMT';
    expect((await send({ ...headers, date: stale, 'x-log-date': headers.date ?? '' })).status).toBe(200);
    expect(outcome(await send({ ...headers, 'x-log-date': stale }))).toEqual({
      status: 401,
      errorCode: 'SignatureNotMatch',
    });
  });

  it('takes x-log-date when a proxy dropped Date', async () => {
    const { date, ...headers } = signed();
    expect((await send({ ...headers, 'x-log-date': date ?? '' })).status).toBe(200);
    expect(outcome(await send(headers))).toEqual({ status: 400, errorCode: 'MissingDate' });
  });

  it('refuses a Date that is not RFC 822', async () => {
    expect(outcome(await send({ ...signed(), date: '2026-11-23T08:00:00Z' }))).toEqual({
      status: 400,
      errorCode: 'InvalidRequestTime',
    });
  });
});

describe('v4', () => {
  it('accepts every operation of the client signed with v4, recorded as v4', async () => {
    const client = f.client({ signing: { version: 'v4', region: f.emulator.region } });
    expect(await client.heartbeat(f.target, 'c1', [])).toEqual([0, 1]);
    await client.updateCheckpoint(f.target, {
      shard: 0,
      checkpoint: 'MTU=',
      consumer: 'c1',
      forceSuccess: false,
    });
    await client.updateCheckpoint(f.target, { shard: 1, checkpoint: 'MTY=', forceSuccess: true });
    expect((await client.getCheckpoints(f.target)).map((c) => c.checkpoint)).toEqual(['MTU=', 'MTY=']);
    await client.createConsumerGroup(
      { ...f.target, consumerGroup: 'g2' },
      { timeoutSeconds: 60, inOrder: false },
    );
    expect(f.emulator.requests.map((r) => [r.status, r.signature])).toEqual(Array(5).fill([200, 'v4']));
  });

  it('refuses a tampered query, header, body or host', async () => {
    const mismatch = { status: 401, errorCode: 'SignatureNotMatch' };
    expect(outcome(await send(signed(V4), { url: `${path}?type=heartbeat&consumer=c2` }))).toEqual(mismatch);
    expect(outcome(await send({ ...signed(V4), 'x-log-bodyrawsize': '9' }))).toEqual(mismatch);
    expect(outcome(await send({ ...signed(V4), 'x-log-extra': 'added on the way' }))).toEqual(mismatch);
    expect(outcome(await send({ ...signed(V4), host: 'test-project.elsewhere' }))).toEqual(mismatch);
    const body = await send(signed(V4, '[]'), { body: '[1]' });
    expect(outcome(body)).toEqual(mismatch);
    expect(body.json.errorMessage).toMatch(/x-log-content-sha256 does not match the body/);
  });

  it('refuses a signature scoped to another region, saying so', async () => {
    const r = await send(signed({ version: 'v4', region: 'cn-shanghai' }));
    expect(outcome(r)).toEqual({ status: 401, errorCode: 'SignatureNotMatch' });
    expect(r.json.errorMessage).toMatch(/region cn-shanghai is not this endpoint's region cn-hangzhou/);
  });

  it('refuses a missing, malformed or skewed x-log-date', async () => {
    const { 'x-log-date': _, ...noDate } = signed(V4);
    expect(outcome(await send(noDate))).toEqual({ status: 400, errorCode: 'MissingDate' });
    expect(outcome(await send({ ...signed(V4), 'x-log-date': '20261323T080000Z' }))).toEqual({
      status: 400,
      errorCode: 'InvalidRequestTime',
    });
    const headers = signed(V4);
    f.clock.advance(16 * 60 * 1000);
    expect(outcome(await send(headers))).toEqual({ status: 400, errorCode: 'RequestTimeExpired' });
  });

  it('lets the client recover from clock skew by re-signing x-log-date', async () => {
    const behind = () => f.clock.now() - 20 * 60 * 1000;
    const client = f.client({ now: behind, signing: V4 });
    expect(await client.heartbeat(f.target, 'c', [])).toEqual([0, 1]);
    expect(f.emulator.requests.map((r) => r.errorCode ?? r.status)).toEqual(['RequestTimeExpired', 200]);
  });

  it('refuses an unknown key and a malformed Authorization', async () => {
    const stranger = { accessKeyId: 'LTAIunknown', accessKeySecret: 'x' };
    expect(outcome(await send(signed(V4, '[]', stranger)))).toEqual({
      status: 401,
      errorCode: 'Unauthorized',
    });
    const auth = signed(V4).authorization ?? '';
    expect(
      outcome(await send({ ...signed(V4), authorization: auth.replace(',Signature=', ',Sig=') })),
    ).toEqual({
      status: 400,
      errorCode: 'ParameterInvalid',
    });
  });

  it('applies the STS token rules: required, exact, unexpired', async () => {
    const sts = { accessKeyId: 'STS.key', accessKeySecret: 'sts-secret', securityToken: 'token-1' };
    f.emulator.putKey({ ...sts, expiresAt: f.clock.now() + 60_000 });
    expect((await send(signed(V4, '[]', sts))).status).toBe(200);
    const noToken = { accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret };
    expect(outcome(await send(signed(V4, '[]', noToken)))).toEqual({
      status: 401,
      errorCode: 'Unauthorized',
    });
    expect(outcome(await send(signed(V4, '[]', { ...sts, securityToken: 'token-2' })))).toEqual({
      status: 401,
      errorCode: 'Unauthorized',
    });
    f.clock.advance(60_000);
    const expired = await send(signed(V4, '[]', sts));
    expect(outcome(expired)).toEqual({ status: 401, errorCode: 'Unauthorized' });
    expect(expired.json.errorMessage).toBe('The security token you provided has expired.');
  });
});

describe('replies', () => {
  const checkpointUrl = `${path}?type=checkpoint&forceSuccess=true`;
  const checkpointHeaders = () => {
    const { 'content-length': _, ...headers } = signedHeaders(
      f.credentials.current,
      {
        method: 'POST',
        path,
        query: { type: 'checkpoint', forceSuccess: 'true' },
        body: encode('{"shard":0,"checkpoint":"MTU="}'),
      },
      'test-project.emulator',
      new Date(f.clock.now()),
      'test',
    );
    return headers;
  };

  it('a success without a body is Content-Length 0 with no content type, and has a request id', async () => {
    const r = await send(checkpointHeaders(), {
      url: checkpointUrl,
      body: '{"shard":0,"checkpoint":"MTU="}',
    });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    expect(r.headers['content-length']).toBe('0');
    expect(r.headers['content-type']).toBeUndefined();
    expect(r.headers['x-log-requestid']).toMatch(/^[0-9A-F]{24}$/);
  });

  it('a success with a body is JSON', async () => {
    const r = await send(signed());
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body.toString('utf8'))).toEqual([0, 1]);
  });

  it('every error is JSON {errorCode, errorMessage} with a request id, whatever stage refused it', async () => {
    const stages = [
      await send({ ...signed(), 'x-log-apiversion': '0.5.0' }),
      await send({ ...signed(), authorization: 'LOG x:y' }),
      await send(signed(), { url: '/logstores/test-logstore/consumergroups/test-group?type=bogus' }),
      await send({ ...signed(), host: 'nope.emulator' }),
    ];
    for (const r of stages) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-log-requestid']).toMatch(/^[0-9A-F]{24}$/);
      expect(Object.keys(r.json).sort()).toEqual(['errorCode', 'errorMessage']);
    }
  });

  it('a body over 10 MiB is answered 413 PostBodyTooLarge, as SLS documents', async () => {
    const r = await send(signed(), { body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(outcome(r)).toEqual({ status: 413, errorCode: 'PostBodyTooLarge' });
    expect(r.headers['x-log-requestid']).toMatch(/^[0-9A-F]{24}$/);
  });
});
