import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/moto.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // The handler modules build their production handlers at import, from the environment, as
    // at a Lambda cold start; tests then use the factories with their own collaborators.
    env: {
      SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com',
      SLS_PROJECT: 'env-project',
      SLS_LOGSTORE: 'env-store',
      SLS_CONSUMER_GROUP: 'env-group',
      SLS_CONSUMER: 'env-consumer',
      SLS_CREDENTIALS_SECRET_ID: 'sls/credentials',
    },
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
