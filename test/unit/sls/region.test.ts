import { describe, expect, it } from 'vitest';
import { SlsValidationError } from '../../../src/sls/errors.ts';
import { regionFromEndpoint, regionProblem, signingFor } from '../../../src/sls/region.ts';

describe('regionFromEndpoint (the official SDKs rule)', () => {
  it.each([
    // The cases of aliyun-log-go-sdk util/region_test.go.
    ['xx-test-acdr-ut-1-intranet.log.aliyuncs.com', 'xx-test-acdr-ut-1'],
    ['http://cn-hangzhou-intranet.log.aliyuncs.com', 'cn-hangzhou'],
    ['https://cn-hangzhou.log.aliyuncs.com', 'cn-hangzhou'],
    ['ap-southease-1-intranet.log.aliyuncs.com', 'ap-southease-1'],
    ['cn-shanghai-corp.sls.aliyuncs.com', 'cn-shanghai-corp'],
    // And the other network suffixes, ports and case.
    ['cn-beijing-share.log.aliyuncs.com', 'cn-beijing'],
    ['eu-central-1-vpc.log.aliyuncs.com', 'eu-central-1'],
    ['CN-Hangzhou.LOG.aliyuncs.com', 'cn-hangzhou'],
    ['https://ap-southeast-1.log.aliyuncs.com:443', 'ap-southeast-1'],
    ['cn-hangzhou.log.aliyuncs.com:8443', 'cn-hangzhou'],
  ])('%s -> %s', (endpoint, region) => {
    expect(regionFromEndpoint(endpoint)).toBe(region);
  });

  it.each([
    'sls.aliyuncs.com',
    'log-global.aliyuncs.com',
    'http://127.0.0.1:9000',
    'my-project.cn-hangzhou.log.aliyuncs.com.evil.example',
    'cn-hangzhou.log.aliyuncs.com.cn',
    '-intranet.log.aliyuncs.com',
    'not a url',
  ])('%s names no region', (endpoint) => {
    expect(regionFromEndpoint(endpoint)).toBeUndefined();
  });
});

describe('regionProblem', () => {
  it('accepts region ids and refuses anything else', () => {
    expect(regionProblem('cn-hangzhou')).toBeUndefined();
    expect(regionProblem('ap-southeast-1')).toBeUndefined();
    for (const bad of ['', 'CN-HANGZHOU', 'cn_hangzhou', '-cn', 'cn-', 'cn hangzhou', 'a'.repeat(65)]) {
      expect(regionProblem(bad)).toBeDefined();
    }
  });
});

describe('signingFor', () => {
  it('v1 needs nothing', () => {
    expect(signingFor({ version: 'v1' }, 'http://127.0.0.1:9000')).toEqual({ version: 'v1' });
  });

  it('v4 takes the explicit region first, then the endpoint', () => {
    expect(signingFor({ version: 'v4', region: 'cn-shanghai' }, 'cn-hangzhou.log.aliyuncs.com')).toEqual({
      version: 'v4',
      region: 'cn-shanghai',
    });
    expect(signingFor({ version: 'v4' }, 'cn-hangzhou-intranet.log.aliyuncs.com')).toEqual({
      version: 'v4',
      region: 'cn-hangzhou',
    });
  });

  it('v4 without a region to use is refused, naming the host only', () => {
    expect(() => signingFor({ version: 'v4' }, 'http://127.0.0.1:9000')).toThrow(SlsValidationError);
    expect(() => signingFor({ version: 'v4' }, 'https://user:pw@sls.example.com')).toThrow(
      /endpoint "sls\.example\.com" names none/,
    );
  });
});
