/** Fixtures for tests that talk to the real emulator over HTTP. */
import { startEmulator } from '../../src/emulator/server.ts';
import type { EmulatorKey, SlsEmulator } from '../../src/emulator/types.ts';
import { SlsClient, type SlsClientOptions } from '../../src/sls/client.ts';
import { createUndiciTransport, type HttpTransport } from '../../src/sls/http.ts';
import type { CredentialsProvider, SlsCredentials, Target } from '../../src/sls/types.ts';
import { createManualClock, type ManualClock } from './clock.ts';

export const TEST_KEY: EmulatorKey = { accessKeyId: 'LTAItestkey0001', accessKeySecret: 'test-secret-0001' };

/** A provider that serves fixed credentials and counts refreshes. */
export function staticCredentials(initial: SlsCredentials): CredentialsProvider & {
  current: SlsCredentials;
  refreshes: number;
} {
  const provider = {
    current: initial,
    refreshes: 0,
    get: async () => provider.current,
    refresh: async () => {
      provider.refreshes++;
      return provider.current;
    },
  };
  return provider;
}

export interface SlsFixture {
  readonly emulator: SlsEmulator;
  readonly clock: ManualClock;
  readonly target: Target;
  readonly transport: HttpTransport;
  readonly credentials: ReturnType<typeof staticCredentials>;
  client(options?: Partial<SlsClientOptions>): SlsClient;
  close(): Promise<void>;
}

/**
 * Starts an emulator with project `test-project`, logstore `test-logstore` (`shards` shards) and
 * group `test-group` (timeout 60 s), driven by a manual clock shared with the clients it makes.
 * Client backoff sleeps advance the manual clock, so retries take no real time.
 */
export async function startSlsFixture(
  options: { shards?: number; groupTimeoutSeconds?: number } = {},
): Promise<SlsFixture> {
  const clock = createManualClock();
  const emulator = await startEmulator({ now: clock.now, keys: [TEST_KEY] });
  emulator.createLogstore('test-project', 'test-logstore', options.shards ?? 4);
  emulator.createConsumerGroup('test-project', 'test-logstore', 'test-group', {
    timeoutSeconds: options.groupTimeoutSeconds ?? 60,
  });
  const transport = createUndiciTransport({ connectTimeoutMs: 1_000 });
  const credentials = staticCredentials({
    accessKeyId: TEST_KEY.accessKeyId,
    accessKeySecret: TEST_KEY.accessKeySecret,
  });
  const target: Target = {
    endpoint: emulator.url,
    project: 'test-project',
    logstore: 'test-logstore',
    consumerGroup: 'test-group',
  };
  return {
    emulator,
    clock,
    target,
    transport,
    credentials,
    client: (overrides = {}) =>
      new SlsClient({
        credentials,
        transport,
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        retry: { attemptTimeoutMs: 2_000 },
        ...overrides,
      }),
    close: async () => {
      await transport.close();
      await emulator.close();
    },
  };
}
