/** Fixtures for tests that talk to the real emulator over HTTP. */
import { startEmulator } from '../../src/emulator/server.ts';
import type { EmulatorKey, LogstoreOptions, SlsEmulator } from '../../src/emulator/types.ts';
import { createCheckpointHandler } from '../../src/handlers/checkpoint.ts';
import { type Logger, silentLogger } from '../../src/log.ts';
import { SlsClient, type SlsClientOptions } from '../../src/sls/client.ts';
import { createUndiciTransport, type HttpTransport } from '../../src/sls/http.ts';
import { type Signing, signedHeaders } from '../../src/sls/signer.ts';
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
 * Starts an emulator with project `test-project`, logstore `test-logstore` (`shards` shards, made
 * with `logstore`'s options) and group `test-group` (timeout 60 s), driven by a manual clock shared with the clients it makes.
 * Client backoff sleeps advance the manual clock, so retries take no real time.
 */
export async function startSlsFixture(
  options: { shards?: number; groupTimeoutSeconds?: number; logstore?: LogstoreOptions } = {},
): Promise<SlsFixture> {
  const clock = createManualClock();
  const emulator = await startEmulator({ now: clock.now, keys: [TEST_KEY] });
  emulator.createLogstore('test-project', 'test-logstore', options.shards ?? 4, options.logstore);
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

/**
 * The real checkpoint handler against the fixture's emulator and clock, for the fixture's group.
 * `client` overrides the fixture client's options (its retry policy, say).
 */
export function checkpointHandler(
  f: SlsFixture,
  options: {
    monotonic?: boolean;
    concurrency?: number;
    client?: Partial<SlsClientOptions>;
    logger?: Logger;
  } = {},
) {
  return createCheckpointHandler({
    config: {
      endpoint: f.emulator.url,
      project: f.target.project,
      logstore: f.target.logstore,
      consumerGroup: f.target.consumerGroup,
      monotonic: options.monotonic ?? false,
      concurrency: options.concurrency ?? 4,
      logLevel: 'info',
    },
    client: f.client(options.client),
    logger: options.logger ?? silentLogger,
    now: f.clock.now,
  });
}

/** Sends one correctly signed request with any body, bypassing the client's own validation. */
export async function sendSigned(
  f: SlsFixture,
  request: { method: 'GET' | 'POST'; path: string; query?: Record<string, string>; body?: string },
  credentials: SlsCredentials = f.credentials.current,
  signing?: Signing,
): Promise<{ status: number; json: unknown }> {
  const query = request.query ?? {};
  const body = request.body === undefined ? undefined : new TextEncoder().encode(request.body);
  const prepared = { method: request.method, path: request.path, query, body };
  const headers = signedHeaders(
    credentials,
    prepared,
    `${f.target.project}.emulator`,
    new Date(f.clock.now()),
    'test',
    signing,
  );
  const search = new URLSearchParams(query).toString();
  const response = await f.transport.send({
    method: request.method,
    origin: f.emulator.url,
    path: request.path + (search ? `?${search}` : ''),
    headers,
    body,
    timeoutMs: 2_000,
  });
  const text = response.body.toString('utf8');
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}
