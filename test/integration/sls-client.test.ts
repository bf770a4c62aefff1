/** The real client against the real emulator over sockets: every operation and every error path. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlsApiError, SlsError, SlsNetworkError, SlsTimeoutError } from '../../src/sls/errors.ts';
import { createUndiciTransport } from '../../src/sls/http.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { startRewritingProxy } from '../helpers/rewriting-proxy.ts';
import { type SlsFixture, sendSigned, startSlsFixture, TEST_KEY } from '../helpers/sls.ts';

const CURSOR = 'MTUyNDE1NTM3OTM3MzkwODQ5Ng==';
let f: SlsFixture;

beforeEach(async () => {
  f = await startSlsFixture({ shards: 4 });
});
afterEach(async () => {
  await f.close();
});

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, SlsError);

describe('operations', () => {
  it('heartbeat registers a consumer and returns its shards', async () => {
    const client = f.client();
    expect(await client.heartbeat(f.target, 'consumer-1', [])).toEqual([0, 1, 2, 3]);
    expect(f.emulator.consumers('test-project', 'test-logstore', 'test-group')).toMatchObject([
      { name: 'consumer-1', assigned: [0, 1, 2, 3] },
    ]);
    const [request] = f.emulator.requests;
    expect(request).toMatchObject({ operation: 'heartbeat', status: 200, body: '[]' });
    expect(request?.query).toEqual({ type: 'heartbeat', consumer: 'consumer-1' });
  });

  it('updateCheckpoint without a consumer sends forceSuccess=true and stores the cursor', async () => {
    await f.client().updateCheckpoint(f.target, { shard: 2, checkpoint: CURSOR, forceSuccess: true });
    expect(f.emulator.requests[0]?.query).toEqual({ type: 'checkpoint', forceSuccess: 'true' });
    expect(f.emulator.requests[0]?.body).toBe(`{"shard":2,"checkpoint":"${CURSOR}"}`);
    expect(f.emulator.checkpoints('test-project', 'test-logstore', 'test-group')[2]).toMatchObject({
      shard: 2,
      checkpoint: CURSOR,
      updateTime: f.clock.now() * 1000,
    });
  });

  it('updateCheckpoint with a consumer sends it and forceSuccess explicitly', async () => {
    const client = f.client();
    await client.heartbeat(f.target, 'consumer-1', []);
    await client.updateCheckpoint(f.target, {
      shard: 1,
      checkpoint: CURSOR,
      consumer: 'consumer-1',
      forceSuccess: false,
    });
    expect(f.emulator.requests[1]?.query).toEqual({
      type: 'checkpoint',
      forceSuccess: 'false',
      consumer: 'consumer-1',
    });
  });

  it('getCheckpoints returns every shard with checkpoint, time and owner', async () => {
    const client = f.client();
    await client.heartbeat(f.target, 'consumer-1', []);
    await client.updateCheckpoint(f.target, { shard: 0, checkpoint: CURSOR, forceSuccess: true });
    const checkpoints = await client.getCheckpoints(f.target);
    expect(checkpoints).toHaveLength(4);
    expect(checkpoints[0]).toEqual({
      shard: 0,
      checkpoint: CURSOR,
      updateTime: f.clock.now() * 1000,
      consumer: 'consumer-1',
    });
  });

  it('createConsumerGroup creates a group that then accepts heartbeats', async () => {
    const client = f.client();
    const target = { ...f.target, consumerGroup: 'new-group' };
    await client.createConsumerGroup(target, { timeoutSeconds: 30, inOrder: true });
    expect(f.emulator.requests[0]?.body).toBe('{"consumerGroup":"new-group","timeout":30,"order":true}');
    expect(await client.heartbeat(target, 'c', [])).toEqual([0, 1, 2, 3]);
  });

  it('sends the STS token and the emulator checks it', async () => {
    f.emulator.putKey({ accessKeyId: 'STS.tmp1', accessKeySecret: 'tmp-secret', securityToken: 'token-1' });
    f.credentials.current = {
      accessKeyId: 'STS.tmp1',
      accessKeySecret: 'tmp-secret',
      securityToken: 'token-1',
    };
    expect(await f.client().heartbeat(f.target, 'c', [])).toEqual([0, 1, 2, 3]);
  });
});

describe('SLS error replies', () => {
  it.each([
    ['ProjectNotExist', 404, { project: 'other-project' }],
    ['LogStoreNotExist', 404, { logstore: 'other-logstore' }],
    ['ConsumerGroupNotExist', 404, { consumerGroup: 'other-group' }],
  ])('%s', async (code, status, override) => {
    const error = await rejection(f.client().heartbeat({ ...f.target, ...override }, 'c', []));
    expect(error).toBeInstanceOf(SlsApiError);
    expect(error).toMatchObject({ code, status, retryable: false, operation: 'ConsumerGroupHeartBeat' });
    expect(error.requestId).toMatch(/^[0-9A-F]{24}$/);
    expect(f.emulator.requests).toHaveLength(1);
  });

  it('NotExistConsumerWithBody when an unknown consumer reports shards', async () => {
    const error = await rejection(f.client().heartbeat(f.target, 'ghost', [1]));
    expect(error).toMatchObject({ code: 'NotExistConsumerWithBody', status: 400, retryable: false });
  });

  it('ShardNotExist, InvalidShardCheckPoint (server side), ConsumerNotExist', async () => {
    const client = f.client();
    expect(
      await rejection(
        client.updateCheckpoint(f.target, { shard: 7, checkpoint: CURSOR, forceSuccess: true }),
      ),
    ).toMatchObject({
      code: 'ShardNotExist',
      status: 404,
    });
    expect(
      await rejection(
        client.updateCheckpoint(f.target, {
          shard: 0,
          checkpoint: CURSOR,
          consumer: 'nobody',
          forceSuccess: false,
        }),
      ),
    ).toMatchObject({ code: 'ConsumerNotExist', status: 404 });
    // The client refuses a bad cursor before sending; the server's own check, over a signed request:
    const raw = await sendSigned(f, {
      method: 'POST',
      path: '/logstores/test-logstore/consumergroups/test-group',
      query: { type: 'checkpoint', forceSuccess: 'true' },
      body: '{"shard":0,"checkpoint":"not base64!"}',
    });
    expect(raw).toMatchObject({ status: 400, json: { errorCode: 'InvalidShardCheckPoint' } });
  });

  it('error messages name the operation and group and carry the request id', async () => {
    const error = await rejection(
      f.client().updateCheckpoint(f.target, { shard: 9, checkpoint: CURSOR, forceSuccess: true }),
    );
    expect(error.message).toContain(
      'UpdateCheckPoint shard 9 on test-project/test-logstore/test-group failed: 404 ShardNotExist',
    );
    expect(error.message).toContain(error.requestId);
  });
});

describe('validation before any request', () => {
  it.each([
    [{ project: 'Bad_Project' }, 'project'],
    [{ logstore: 'a/b' }, 'logstore'],
    [{ consumerGroup: 'g?type=x' }, 'consumerGroup'],
  ])('rejects %o', async (override, field) => {
    const error = await rejection(f.client().heartbeat({ ...f.target, ...override }, 'c', []));
    expect(error).toMatchObject({ code: 'InvalidArgument', retryable: false });
    expect(error.message).toContain(field);
    expect(f.emulator.requests).toHaveLength(0);
  });

  it('rejects a consumer name that would change the query', async () => {
    await rejection(f.client().heartbeat(f.target, 'c&type=checkpoint', []));
    expect(f.emulator.requests).toHaveLength(0);
  });

  it('rejects forceSuccess=false without a consumer, and bad shards and cursors', async () => {
    const client = f.client();
    for (const update of [
      { shard: 0, checkpoint: CURSOR, forceSuccess: false },
      { shard: -1, checkpoint: CURSOR, forceSuccess: true },
      { shard: 1.5, checkpoint: CURSOR, forceSuccess: true },
      { shard: 0, checkpoint: 'not base64!', forceSuccess: true },
      { shard: 0, checkpoint: '', forceSuccess: true },
    ]) {
      expect(await rejection(client.updateCheckpoint(f.target, update))).toMatchObject({
        code: 'InvalidArgument',
      });
    }
    expect(f.emulator.requests).toHaveLength(0);
  });

  it('refuses plain http to a non-loopback endpoint', async () => {
    const error = await rejection(
      f.client().heartbeat({ ...f.target, endpoint: 'http://10.0.0.1:80' }, 'c', []),
    );
    expect(error.message).toContain('loopback');
  });
});

describe('replies checked with the rules a request is checked with', () => {
  it.each([
    ['a shard id above 2^31-1', '[0,2147483648]', 'reply[1] must be between 0 and 2147483647'],
    ['a negative shard id', '[-1]', 'reply[0] must be between 0 and 2147483647'],
    ['a fractional shard id', '[1.5]', 'reply[0] must be an integer'],
    ['a shard id as a string', '["1"]', 'reply[0] must be a number'],
    ['an object instead of a list', '{"shards":[0]}', 'reply must be an array'],
    ['no JSON', '[0,', 'is not JSON'],
  ])('refuses a heartbeat reply with %s, without retrying', async (_name, body, problem) => {
    const proxy = await startRewritingProxy(f.emulator.url);
    try {
      proxy.forge('heartbeat', { status: 200, body });
      const error = await rejection(f.client().heartbeat({ ...f.target, endpoint: proxy.url }, 'c', []));
      expect(error).toMatchObject({
        code: 'InvalidResponse',
        retryable: false,
        operation: 'ConsumerGroupHeartBeat',
      });
      expect(error.message).toContain(problem);
      expect(error.requestId).toMatch(/^[0-9A-F]{24}$/);
      expect(f.emulator.requests).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a GetCheckPoint reply naming a shard id a request could not carry', async () => {
    const proxy = await startRewritingProxy(f.emulator.url);
    try {
      proxy.forge(undefined, {
        status: 200,
        body: '[{"shard":2147483648,"checkpoint":"MTU=","updateTime":1,"consumer":"c"}]',
      });
      const error = await rejection(f.client().getCheckpoints({ ...f.target, endpoint: proxy.url }));
      expect(error).toMatchObject({ code: 'InvalidResponse', retryable: false, operation: 'GetCheckPoint' });
      expect(error.message).toContain('reply[0].shard must be between 0 and 2147483647');
    } finally {
      await proxy.close();
    }
  });

  it('the largest shard id a request may carry is accepted in a reply too', async () => {
    const proxy = await startRewritingProxy(f.emulator.url);
    try {
      proxy.forge('heartbeat', { status: 200, body: '[0,2147483647]' });
      const client = f.client();
      const target = { ...f.target, endpoint: proxy.url };
      const shards = await client.heartbeat(target, 'c', []);
      expect(shards).toEqual([0, 2147483647]);
      // ...and it can be reported back: the same rule in both directions.
      await client.heartbeat(target, 'c', shards).catch(() => undefined);
      expect(f.emulator.requests.at(-1)?.body).toBe('[0,2147483647]');
    } finally {
      await proxy.close();
    }
  });
});

describe('retries and injected faults', () => {
  it.each([
    [500, 'InternalServerError'],
    [503, 'ServerBusy'],
    [429, 'TooManyRequests'],
    [403, 'WriteQuotaExceed'],
  ])('retries %i %s and succeeds', async (status, code) => {
    f.emulator.injectFault({ operation: 'heartbeat', times: 2, action: { kind: 'error', status, code } });
    const retries: number[] = [];
    const client = f.client({ onRetry: (e) => retries.push(e.attempt) });
    expect(await client.heartbeat(f.target, 'c', [])).toEqual([0, 1, 2, 3]);
    expect(retries).toEqual([1, 2]);
    expect(f.emulator.requests.map((r) => r.status)).toEqual([status, status, 200]);
  });

  it('retries a dropped connection', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', action: { kind: 'drop' } });
    await f.client().updateCheckpoint(f.target, { shard: 0, checkpoint: CURSOR, forceSuccess: true });
    expect(f.emulator.requests.map((r) => r.fault ?? r.status)).toEqual(['drop', 200]);
  });

  it('times out a slow reply and retries it', async () => {
    f.emulator.injectFault({ operation: 'heartbeat', action: { kind: 'delay', ms: 400 } });
    const errors: string[] = [];
    const client = f.client({
      retry: { attemptTimeoutMs: 100, minAttemptMs: 10 },
      onRetry: (e) => errors.push(e.error.code),
    });
    expect(await client.heartbeat(f.target, 'c', [])).toEqual([0, 1, 2, 3]);
    expect(errors).toEqual(['Timeout']);
  });

  it('gives up after maxAttempts with the last error', async () => {
    f.emulator.injectFault({ times: 10, action: { kind: 'drop' } });
    const error = await rejection(f.client({ retry: { maxAttempts: 3 } }).heartbeat(f.target, 'c', []));
    expect(error).toBeInstanceOf(SlsNetworkError);
    expect(error).toMatchObject({ code: 'NetworkError', retryable: true });
    expect(f.emulator.requests).toHaveLength(3);
  });

  it('never runs past the deadline', async () => {
    f.emulator.injectFault({ times: 100, action: { kind: 'error', status: 503, code: 'ServerBusy' } });
    const deadline = f.clock.now() + 3_000;
    const error = await rejection(
      f
        .client({ random: () => 0.999, retry: { maxAttempts: 100, baseDelayMs: 500, maxDelayMs: 2_000 } })
        .heartbeat(f.target, 'c', [], { deadline }),
    );
    expect(error).toMatchObject({ code: 'ServerBusy', retryable: true });
    expect(f.clock.now()).toBeLessThanOrEqual(deadline);
  });

  it('does not retry a 4xx rejection', async () => {
    f.emulator.injectFault({ action: { kind: 'error', status: 400, code: 'ParameterInvalid' } });
    await rejection(f.client().heartbeat(f.target, 'c', []));
    expect(f.emulator.requests).toHaveLength(1);
  });

  it('shortens the last attempt to the deadline and reports a timeout', async () => {
    f.emulator.injectFault({ action: { kind: 'delay', ms: 1_000 } });
    const error = await rejection(
      f
        .client({ now: Date.now, retry: { minAttemptMs: 10 } })
        .heartbeat(f.target, 'c', [], { deadline: Date.now() + 150 }),
    );
    expect(error).toBeInstanceOf(SlsTimeoutError);
  });
});

describe('clock skew', () => {
  it('re-signs once with the server clock after RequestTimeExpired', async () => {
    // Our clock runs 20 minutes behind the server's.
    const behind = () => f.clock.now() - 20 * 60 * 1000;
    const client = f.client({ now: behind });
    expect(await client.heartbeat(f.target, 'c', [])).toEqual([0, 1, 2, 3]);
    expect(f.emulator.requests.map((r) => r.errorCode ?? r.status)).toEqual(['RequestTimeExpired', 200]);
    // The learnt offset sticks: the next call goes through first time.
    await client.heartbeat(f.target, 'c', [0, 1, 2, 3]);
    expect(f.emulator.requests).toHaveLength(3);
  });
});

describe('credentials', () => {
  it('refreshes once after a rejected key and retries with the new one', async () => {
    let rotated = false;
    const provider = {
      get: async () => ({ accessKeyId: TEST_KEY.accessKeyId, accessKeySecret: 'stale-secret' }),
      refresh: async () => {
        rotated = true;
        return { accessKeyId: TEST_KEY.accessKeyId, accessKeySecret: TEST_KEY.accessKeySecret };
      },
    };
    expect(await f.client({ credentials: provider }).heartbeat(f.target, 'c', [])).toEqual([0, 1, 2, 3]);
    expect(rotated).toBe(true);
    expect(f.emulator.requests.map((r) => r.errorCode ?? r.status)).toEqual(['SignatureNotMatch', 200]);
  });

  it('fails after one refresh when the key stays bad, without echoing the signature', async () => {
    f.credentials.current = { accessKeyId: TEST_KEY.accessKeyId, accessKeySecret: 'wrong' };
    const error = await rejection(f.client().heartbeat(f.target, 'c', []));
    expect(error).toMatchObject({ code: 'SignatureNotMatch', status: 401, retryable: false });
    expect(f.credentials.refreshes).toBe(1);
    expect(f.emulator.requests).toHaveLength(2);
    expect(JSON.stringify(error)).not.toMatch(/signature [A-Za-z0-9+/=]{20,}/);
    expect(error.message).not.toContain('wrong');
  });

  it('does not let a slow credentials fetch outlive the deadline', async () => {
    const slow = { get: () => new Promise<never>(() => {}), refresh: f.credentials.refresh };
    const error = await rejection(
      f.client({ credentials: slow }).heartbeat(f.target, 'c', [], { deadline: f.clock.now() + 200 }),
    );
    expect(error).toMatchObject({ code: 'DeadlineExceeded', retryable: true });
    expect(f.emulator.requests).toHaveLength(0);
  });

  it('does not let a hanging credentials refresh outlive the deadline', async () => {
    f.credentials.current = { accessKeyId: TEST_KEY.accessKeyId, accessKeySecret: 'wrong' };
    const hanging = { get: f.credentials.get, refresh: () => new Promise<never>(() => {}) };
    const error = await rejection(
      f.client({ credentials: hanging }).heartbeat(f.target, 'c', [], { deadline: f.clock.now() + 300 }),
    );
    expect(error).toMatchObject({ code: 'SignatureNotMatch' });
  });

  it.each([
    ['an unknown AccessKey', { accessKeyId: 'LTAIunknown', accessKeySecret: 'x' }, undefined],
    ['a disabled AccessKey', { accessKeyId: 'LTAIdisabled', accessKeySecret: 'x' }, { disabled: true }],
  ])('rejects %s with 401 Unauthorized', async (_name, credentials, extra) => {
    if (extra) f.emulator.putKey({ ...credentials, ...extra });
    f.credentials.current = credentials;
    expect(await rejection(f.client().heartbeat(f.target, 'c', []))).toMatchObject({
      code: 'Unauthorized',
      status: 401,
    });
  });

  it('rejects an expired STS token', async () => {
    f.emulator.putKey({
      accessKeyId: 'STS.tmp2',
      accessKeySecret: 's',
      securityToken: 'tok',
      expiresAt: f.clock.now() - 1,
    });
    f.credentials.current = { accessKeyId: 'STS.tmp2', accessKeySecret: 's', securityToken: 'tok' };
    expect(await rejection(f.client().heartbeat(f.target, 'c', []))).toMatchObject({ code: 'Unauthorized' });
  });
});

describe('requests the HTTP library refuses to build', () => {
  // A credentials provider that does not check its values (ours does) could hand these over.
  it.each([
    [
      'an accessKeyId ending with a line break',
      { accessKeyId: `${TEST_KEY.accessKeyId}\n` },
      'authorization',
    ],
    ['a securityToken ending with a line break', { securityToken: 'token-1\n' }, 'x-acs-security-token'],
  ])('%s: InvalidRequest, not retried, nothing sent', async (_name, override, header) => {
    f.credentials.current = { ...TEST_KEY, ...override };
    const retries: string[] = [];
    const error = await rejection(
      f.client({ onRetry: (e) => retries.push(e.error.code) }).heartbeat(f.target, 'c', []),
    );
    expect(error).toMatchObject({
      code: 'InvalidRequest',
      retryable: false,
      operation: 'ConsumerGroupHeartBeat',
    });
    expect(error.message).toContain(`UND_ERR_INVALID_ARG: invalid ${header} header`);
    expect(error.message).not.toContain(TEST_KEY.accessKeyId);
    expect(retries).toEqual([]);
    expect(f.credentials.refreshes).toBe(0);
    expect(f.emulator.requests).toHaveLength(0);
  });

  it('an origin with a port out of range: InvalidRequest, not NetworkError', async () => {
    const error = await rejection(
      f.transport.send({
        method: 'GET',
        origin: 'http://127.0.0.1:99999',
        path: '/',
        headers: {},
        timeoutMs: 1_000,
      }),
    );
    expect(error).toMatchObject({ code: 'InvalidRequest', retryable: false });
    expect(error.message).toContain('ERR_INVALID_URL');
  });
});

describe('transport', () => {
  it('reuses one keep-alive connection across calls', async () => {
    const client = f.client();
    for (let i = 0; i < 5; i++) await client.heartbeat(f.target, 'c', []);
    // Five requests, no drops: the emulator saw them all on live sockets.
    expect(f.emulator.requests.filter((r) => r.status === 200)).toHaveLength(5);
  });

  it('takes a time limit that is not a whole number of milliseconds (a deadline from performance.now)', async () => {
    const response = await f.transport.send({
      method: 'GET',
      origin: f.emulator.url,
      path: '/logstores/test-logstore/consumergroups/test-group',
      headers: {},
      timeoutMs: 1_234.5,
    });
    // Unsigned, so refused: what matters is that a reply came back rather than a crash.
    expect(response.status).toBe(400);
  });

  it('refuses a reply larger than the bound', async () => {
    const transport = createUndiciTransport({ maxResponseBytes: 10 });
    try {
      for (let s = 0; s < 3; s++)
        await f
          .client({ transport })
          .updateCheckpoint(f.target, { shard: s, checkpoint: CURSOR, forceSuccess: true });
      const error = await rejection(f.client({ transport }).getCheckpoints(f.target));
      expect(error).toMatchObject({ code: 'ResponseTooLarge', retryable: false });
    } finally {
      await transport.close();
    }
  });
});
