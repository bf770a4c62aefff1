import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../../src/sls/signer.ts';
import {
  authorization,
  canonicalHeaders,
  canonicalResource,
  contentMd5,
  stringToSign,
} from '../../../src/sls/signer-v1.ts';

const credentials = { accessKeyId: 'test-access-key-id', accessKeySecret: 'test-secret-key' };

describe('contentMd5', () => {
  it('reproduces the HeartBeat reference page value for body [0]', () => {
    expect(contentMd5('[0]')).toBe('8D5162CA104FA7E79FE80FD92BB657FB');
  });

  it('reproduces the UpdateCheckPoint reference page value', () => {
    expect(contentMd5('{"shard":0,"checkpoint":"MTUyNDE1NTM3OTM3MzkwODQ5Ng=="}')).toBe(
      '59457BAFB3F85A5117BDE243947583B0',
    );
  });
});

describe('canonical parts', () => {
  it('sorts the query by name and leaves values unencoded', () => {
    expect(
      canonicalResource('/logstores/l/consumergroups/g', {
        type: 'checkpoint',
        forceSuccess: 'true',
        consumer: 'c',
      }),
    ).toBe('/logstores/l/consumergroups/g?consumer=c&forceSuccess=true&type=checkpoint');
    expect(canonicalResource('/logstores/l/consumergroups/g', {})).toBe('/logstores/l/consumergroups/g');
  });

  it('keeps only x-log-/x-acs- headers, lower-cased and sorted', () => {
    expect(
      canonicalHeaders({
        'X-Log-SignatureMethod': 'hmac-sha1',
        Date: 'd',
        'x-acs-security-token': 't',
        'x-log-apiversion': '0.6.0',
      }),
    ).toBe('x-acs-security-token:t\nx-log-apiversion:0.6.0\nx-log-signaturemethod:hmac-sha1\n');
  });
});

describe('signature vector derived by hand', () => {
  // String-to-sign written out from the algorithm, and its HMAC-SHA1 computed with
  // `openssl dgst -sha1 -hmac test-secret-key -binary | base64`, independently of this code.
  const headers = {
    'content-md5': '8D5162CA104FA7E79FE80FD92BB657FB',
    'content-type': 'application/json',
    date: 'Sun, 06 May 2018 09:44:10 GMT',
    'x-log-apiversion': '0.6.0',
    'x-log-signaturemethod': 'hmac-sha1',
    'x-log-bodyrawsize': '3',
    'x-acs-security-token': 'sts-token-1',
    host: 'my-project.cn-shanghai.log.aliyuncs.com',
  };
  const request = {
    method: 'POST',
    path: '/logstores/my-logstore/consumergroups/consumer_group_test',
    query: { type: 'heartbeat', consumer: 'consumer_1' },
    headers,
  };

  it('builds the exact string to sign', () => {
    expect(stringToSign(request)).toBe(
      'POST\n8D5162CA104FA7E79FE80FD92BB657FB\napplication/json\nSun, 06 May 2018 09:44:10 GMT\n' +
        'x-acs-security-token:sts-token-1\nx-log-apiversion:0.6.0\nx-log-bodyrawsize:3\nx-log-signaturemethod:hmac-sha1\n' +
        '/logstores/my-logstore/consumergroups/consumer_group_test?consumer=consumer_1&type=heartbeat',
    );
  });

  it('produces the expected Authorization header', () => {
    expect(authorization(credentials, request)).toBe('LOG test-access-key-id:6ZOnbA2FGqOH5rROB3Ts9Ob4zgQ=');
  });

  it('signs a body-less GET with empty MD5 and type lines', () => {
    const date = new Date('2018-05-06T09:44:10Z');
    const out = signedHeaders(
      credentials,
      { method: 'GET', path: '/logstores/my-logstore/consumergroups/consumer_group_test', query: {} },
      'my-project.cn-shanghai.log.aliyuncs.com',
      date,
      'ua',
    );
    expect(out['content-md5']).toBeUndefined();
    expect(out['x-log-bodyrawsize']).toBe('0');
    expect(out.date).toBe('Sun, 06 May 2018 09:44:10 GMT');
    expect(out.authorization).toBe('LOG test-access-key-id:S9xlDr1xQeIR6zTcvTpQO4cYbug=');
  });
});

describe('signedHeaders', () => {
  it('sets every required header for a body and the STS token when present', () => {
    const body = new TextEncoder().encode('[0]');
    const out = signedHeaders(
      { ...credentials, securityToken: 'sts-token-1' },
      {
        method: 'POST',
        path: '/logstores/my-logstore/consumergroups/consumer_group_test',
        query: { type: 'heartbeat', consumer: 'consumer_1' },
        body,
      },
      'my-project.cn-shanghai.log.aliyuncs.com',
      new Date('2018-05-06T09:44:10Z'),
      'ua',
    );
    expect(out).toMatchObject({
      host: 'my-project.cn-shanghai.log.aliyuncs.com',
      'x-log-apiversion': '0.6.0',
      'x-log-signaturemethod': 'hmac-sha1',
      'x-log-bodyrawsize': '3',
      'content-md5': '8D5162CA104FA7E79FE80FD92BB657FB',
      'content-type': 'application/json',
      'x-acs-security-token': 'sts-token-1',
      authorization: 'LOG test-access-key-id:6ZOnbA2FGqOH5rROB3Ts9Ob4zgQ=',
    });
  });
});
