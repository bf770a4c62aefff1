/** A complete, valid function environment, and the message of a refused one. */
import { expect } from 'vitest';
import { ConfigError } from '../../src/config.ts';

/** Every variable both functions require, with valid values. */
export const VALID_ENV = {
  SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com',
  SLS_PROJECT: 'my-project',
  SLS_LOGSTORE: 'my-logstore',
  SLS_CONSUMER_GROUP: 'my-group',
  SLS_CONSUMER: 'consumer-1',
  SLS_CREDENTIALS_SECRET_ID: 'sls/credentials',
} as const;

/** Runs `fn`, which must throw a ConfigError, and returns its message. */
export function configErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}
