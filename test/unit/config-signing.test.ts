/** SLS_SIGNATURE_VERSION and SLS_REGION: parsed, combined and refused at cold start. */
import { describe, expect, it } from 'vitest';
import { loadCheckpointConfig, loadHeartbeatConfig } from '../../src/config.ts';
import { VALID_ENV as base, configErrorMessage } from '../helpers/config.ts';

const refusal = (env: Record<string, string>): string => configErrorMessage(() => loadCheckpointConfig(env));

describe('signing configuration', () => {
  it('signs v1 by default', () => {
    expect(loadCheckpointConfig(base).signing).toEqual({ version: 'v1' });
    expect(loadHeartbeatConfig({ ...base, SLS_SIGNATURE_VERSION: 'v1' }).signing).toEqual({ version: 'v1' });
  });

  it('v4 reads the region from the endpoint', () => {
    for (const [endpoint, region] of [
      ['cn-hangzhou.log.aliyuncs.com', 'cn-hangzhou'],
      ['https://cn-shanghai-intranet.log.aliyuncs.com', 'cn-shanghai'],
      ['ap-southeast-1-share.log.aliyuncs.com', 'ap-southeast-1'],
    ]) {
      expect(
        loadHeartbeatConfig({ ...base, SLS_ENDPOINT: endpoint, SLS_SIGNATURE_VERSION: 'v4' }).signing,
      ).toEqual({ version: 'v4', region });
    }
  });

  it('SLS_REGION overrides the endpoint, and is required where the endpoint names no region', () => {
    expect(
      loadCheckpointConfig({ ...base, SLS_SIGNATURE_VERSION: 'v4', SLS_REGION: 'cn-hangzhou-finance' })
        .signing,
    ).toEqual({ version: 'v4', region: 'cn-hangzhou-finance' });
    expect(
      loadCheckpointConfig({
        ...base,
        SLS_ENDPOINT: 'http://127.0.0.1:9000',
        SLS_SIGNATURE_VERSION: 'v4',
        SLS_REGION: 'cn-hangzhou',
      }).signing,
    ).toEqual({ version: 'v4', region: 'cn-hangzhou' });
  });

  it('refuses v4 when no region can be had, saying what to set', () => {
    expect(
      refusal({ ...base, SLS_ENDPOINT: 'http://127.0.0.1:9000', SLS_SIGNATURE_VERSION: 'v4' }),
    ).toContain('SLS_SIGNATURE_VERSION=v4 needs a region: SLS_ENDPOINT names none');
    expect(
      refusal({ ...base, SLS_ENDPOINT: 'log-global.aliyuncs.com', SLS_SIGNATURE_VERSION: 'v4' }),
    ).toContain('so set SLS_REGION');
  });

  it('refuses SLS_REGION with v1 signing, where it would be ignored', () => {
    expect(refusal({ ...base, SLS_REGION: 'cn-hangzhou' })).toContain(
      'SLS_REGION is only used by v4 signing: set SLS_SIGNATURE_VERSION=v4 or remove SLS_REGION',
    );
  });

  it('refuses an unknown version and a malformed region without echoing other problems', () => {
    const version = refusal({ ...base, SLS_SIGNATURE_VERSION: 'v2', SLS_REGION: 'cn-hangzhou' });
    expect(version).toContain('SLS_SIGNATURE_VERSION must be one of "v1", "v4"');
    expect(version).not.toContain('only used by v4');
    expect(refusal({ ...base, SLS_SIGNATURE_VERSION: 'v4', SLS_REGION: 'CN_Hangzhou' })).toContain(
      'SLS_REGION must be a region id such as cn-hangzhou',
    );
  });

  it('treats empty variables as unset', () => {
    expect(loadCheckpointConfig({ ...base, SLS_SIGNATURE_VERSION: '', SLS_REGION: '' }).signing).toEqual({
      version: 'v1',
    });
  });
});
