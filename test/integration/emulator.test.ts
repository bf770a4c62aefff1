/** The emulator as a server: it must reject every badly signed or malformed request as SLS does. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/sls/signer.ts';
import { authorization } from '../../src/sls/signer-v1.ts';
import { type SlsFixture, sendSigned, startSlsFixture } from '../helpers/sls.ts';

let f: SlsFixture;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 2 });
});
afterEach(async () => {
  await f.close();
});

const path = '/logstores/test-logstore/consumergroups/test-group';
const query = { type: 'heartbeat', consumer: 'c1' };

async function raw(signed: Record<string, string>, body = '[]', url = `${path}?type=heartbeat&consumer=c1`) {
  // The length is the transport's business: these tests send bodies that differ from the signed one.
  const { 'content-length': _, ...headers } = signed;
  const response = await f.transport.send({
    method: 'POST',
    origin: f.emulator.url,
    path: url,
    headers,
    body: new TextEncoder().encode(body),
    timeoutMs: 2_000,
  });
  return { status: response.status, ...(JSON.parse(response.body.toString('utf8') || '{}') as object) };
}

function goodHeaders(body = '[]'): Record<string, string> {
  return signedHeaders(
    f.credentials.current,
    { method: 'POST', path, query, body: new TextEncoder().encode(body) },
    'test-project.emulator',
    new Date(f.clock.now()),
    'test',
  );
}

describe('request verification', () => {
  it('accepts a correctly signed request and answers with a request id and its own Date', async () => {
    const response = await f.transport.send({
      method: 'POST',
      origin: f.emulator.url,
      path: `${path}?type=heartbeat&consumer=c1`,
      headers: goodHeaders(),
      body: new TextEncoder().encode('[]'),
      timeoutMs: 2_000,
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-log-requestid']).toMatch(/^[0-9A-F]{24}$/);
    expect(Date.parse(response.headers.date ?? '')).toBe(Math.floor(f.clock.now() / 1000) * 1000);
  });

  it('rejects a tampered query (the signature covers it)', async () => {
    expect(await raw(goodHeaders(), '[]', `${path}?type=heartbeat&consumer=c2`)).toMatchObject({
      status: 401,
      errorCode: 'SignatureNotMatch',
    });
  });

  it('rejects the right signature in another base64 form', async () => {
    const good = goodHeaders();
    const [prefix, signature = ''] = (good.authorization ?? '').split(':');
    for (const variant of [
      signature.replace(/=+$/, ''),
      signature.replace(/\+/g, '-').replace(/\//g, '_'),
      `${signature}#junk`,
    ]) {
      if (variant === signature) continue;
      expect(await raw({ ...good, authorization: `${prefix}:${variant}` })).toMatchObject({ status: 401 });
    }
  });

  it('rejects a tampered x-log header', async () => {
    expect(await raw({ ...goodHeaders(), 'x-log-bodyrawsize': '99' })).toMatchObject({
      status: 401,
      errorCode: 'SignatureNotMatch',
    });
  });

  it('rejects a body that does not match Content-MD5', async () => {
    expect(await raw(goodHeaders('[]'), '[1]')).toMatchObject({
      status: 400,
      errorCode: 'InvalidContentMD5',
    });
  });

  it('treats Content-MD5 as optional (SLS docs) but signed: removing it breaks the signature', async () => {
    const { 'content-md5': _, authorization: __, ...unhashed } = goodHeaders();
    expect(await raw({ ...unhashed, authorization: goodHeaders().authorization ?? '' })).toMatchObject({
      status: 401,
      errorCode: 'SignatureNotMatch',
    });
    const signedWithout = authorization(f.credentials.current, {
      method: 'POST',
      path,
      query,
      headers: unhashed,
    });
    expect(await raw({ ...unhashed, authorization: signedWithout })).toMatchObject({ status: 200 });
  });

  it('rejects missing or malformed Authorization', async () => {
    const { authorization: _, ...headers } = goodHeaders();
    expect(await raw(headers)).toMatchObject({ status: 401, errorCode: 'Unauthorized' });
    // SLS's error-code page: "Http extend authorization : authorization pair is invalid."
    expect(await raw({ ...headers, authorization: 'Bearer x' })).toMatchObject({
      status: 400,
      errorCode: 'ParameterInvalid',
    });
  });

  it('rejects a missing API version and a missing Date', async () => {
    const { 'x-log-apiversion': _, ...noVersion } = goodHeaders();
    expect(await raw(noVersion)).toMatchObject({ status: 400, errorCode: 'MissingAPIVersion' });
    const { date: __, ...noDate } = goodHeaders();
    expect(await raw(noDate)).toMatchObject({ status: 400, errorCode: 'MissingDate' });
  });

  it('rejects a Date more than 15 minutes off the emulator clock, even when well signed', async () => {
    const headers = goodHeaders();
    f.clock.advance(16 * 60 * 1000);
    expect(await raw(headers)).toMatchObject({ status: 400, errorCode: 'RequestTimeExpired' });
  });

  it('routes on the project in the Host header', async () => {
    const headers = signedHeaders(
      f.credentials.current,
      { method: 'POST', path, query, body: new TextEncoder().encode('[]') },
      'unknown-project.emulator',
      new Date(f.clock.now()),
      'test',
    );
    expect(await raw(headers)).toMatchObject({ status: 404, errorCode: 'ProjectNotExist' });
  });
});

describe('behaviour over HTTP', () => {
  it('serves GetCheckPoint for one shard with ?shard=', async () => {
    expect(await sendSigned(f, { method: 'GET', path, query: { shard: '1' } })).toEqual({
      status: 200,
      json: [{ shard: 1, checkpoint: '', updateTime: 0, consumer: '' }],
    });
  });

  it('rejects a heartbeat body that is not an array of shard ids', async () => {
    expect(await sendSigned(f, { method: 'POST', path, query, body: '{"shards":[0]}' })).toMatchObject({
      status: 400,
      json: { errorCode: 'PostBodyInvalid' },
    });
  });

  it('rejects CreateConsumerGroup with a bad body', async () => {
    expect(
      await sendSigned(f, { method: 'POST', path: '/logstores/test-logstore/consumergroups', body: 'nope' }),
    ).toMatchObject({ status: 400, json: { errorCode: 'JsonInfoInvalid' } });
  });

  it('expires consumers on the driven clock', async () => {
    const client = f.client();
    await client.heartbeat(f.target, 'c1', []);
    f.clock.advance(61_000);
    expect(f.emulator.consumers('test-project', 'test-logstore', 'test-group')).toEqual([]);
  });
});

describe('fault injection', () => {
  it('serves an injected error a given number of times, then recovers', async () => {
    f.emulator.injectFault({
      operation: 'heartbeat',
      times: 2,
      action: { kind: 'error', status: 502, code: 'BadGateway' },
    });
    const send = () => sendSigned(f, { method: 'POST', path, query, body: '[]' });
    expect((await send()).status).toBe(502);
    expect((await send()).status).toBe(502);
    expect((await send()).status).toBe(200);
  });

  it('matches faults by operation and group', async () => {
    f.emulator.injectFault({
      operation: 'checkpoint',
      action: { kind: 'error', status: 500, code: 'InternalServerError' },
    });
    f.emulator.injectFault({ consumerGroup: 'other', action: { kind: 'drop' } });
    expect((await sendSigned(f, { method: 'POST', path, query, body: '[]' })).status).toBe(200);
  });

  it('drops the connection without a reply', async () => {
    f.emulator.injectFault({ action: { kind: 'drop' } });
    await expect(sendSigned(f, { method: 'POST', path, query, body: '[]' })).rejects.toMatchObject({
      code: 'NetworkError',
    });
    expect(f.emulator.requests[0]).toMatchObject({ fault: 'drop', status: 0 });
  });

  it('delays a reply by real milliseconds', async () => {
    f.emulator.injectFault({ action: { kind: 'delay', ms: 50 } });
    const started = performance.now();
    expect((await sendSigned(f, { method: 'POST', path, query, body: '[]' })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('clearFaults removes pending faults', async () => {
    f.emulator.injectFault({ times: 5, action: { kind: 'drop' } });
    f.emulator.clearFaults();
    expect((await sendSigned(f, { method: 'POST', path, query, body: '[]' })).status).toBe(200);
  });
});
