/** The handler configurations unit and integration tests start from (override what a test needs). */
import type { CheckpointHandlerDeps } from '../../src/handlers/checkpoint.ts';
import type { HeartbeatHandlerDeps } from '../../src/handlers/heartbeat.ts';

/** One consumer `c1` of `proj/store/group`, beating every 20 s, as the recommended settings. */
export function heartbeatConfig(
  overrides: Partial<HeartbeatHandlerDeps['config']> = {},
): HeartbeatHandlerDeps['config'] {
  return {
    endpoint: 'http://127.0.0.1:9',
    targets: [{ project: 'proj', logstore: 'store', consumerGroup: 'group', consumer: 'c1' }],
    intervalMs: 20_000,
    concurrency: 4,
    safetyMarginMs: 3_000,
    createConsumerGroup: false,
    groupTimeoutSeconds: 60,
    groupInOrder: false,
    requestTimeoutMs: 5_000,
    logLevel: 'info',
    ...overrides,
  };
}

/** Defaults `proj/store/group`, writes four shards at once. */
export function checkpointConfig(
  overrides: Partial<CheckpointHandlerDeps['config']> = {},
): CheckpointHandlerDeps['config'] {
  return {
    endpoint: 'http://127.0.0.1:9',
    project: 'proj',
    logstore: 'store',
    consumerGroup: 'group',
    monotonic: false,
    concurrency: 4,
    logLevel: 'info',
    ...overrides,
  };
}
