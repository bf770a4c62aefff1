/**
 * Heartbeat: CPU time per beat and how evenly beats are spaced over a long invocation against
 * the emulator, which runs in its own process so only the heartbeat's own CPU is counted.
 */
import { silentLogger } from '../src/log.ts';
import { SlsClient } from '../src/sls/client.ts';
import { createUndiciTransport } from '../src/sls/http.ts';
import { startEmulatorProcess } from './emulator-process.ts';
import { printTable } from './table.ts';

const INTERVAL_MS = 250;
const RUN_MS = 30_000;
const KEY = { accessKeyId: 'LTAIdemoAccessKey', accessKeySecret: 'demo-secret-not-for-production' };

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

export async function benchHeartbeat(): Promise<void> {
  const { url, stop } = await startEmulatorProcess(['--shards', '8'], KEY.accessKeySecret);
  const transport = createUndiciTransport();
  try {
    Object.assign(process.env, {
      SLS_ENDPOINT: url,
      SLS_PROJECT: 'demo-project',
      SLS_LOGSTORE: 'demo-logstore',
      SLS_CONSUMER_GROUP: 'demo-group',
      SLS_CONSUMER: 'bench-consumer',
      SLS_CREDENTIALS_SECRET_ID: 'bench',
    });
    const { createHeartbeatHandler } = await import('../src/handlers/heartbeat.ts');
    const beats: number[] = [];
    const client = new SlsClient({
      credentials: { get: async () => KEY, refresh: async () => KEY },
      transport,
    });
    const timed: typeof client = Object.create(client);
    timed.heartbeat = async (...args: Parameters<SlsClient['heartbeat']>) => {
      beats.push(performance.now());
      return client.heartbeat(...args);
    };
    const handler = createHeartbeatHandler({
      config: {
        endpoint: url,
        targets: [
          {
            project: 'demo-project',
            logstore: 'demo-logstore',
            consumerGroup: 'demo-group',
            consumer: 'bench-consumer',
          },
        ],
        intervalMs: INTERVAL_MS,
        concurrency: 1,
        safetyMarginMs: 100,
        createConsumerGroup: false,
        groupTimeoutSeconds: 60,
        groupInOrder: false,
        requestTimeoutMs: 200,
        logLevel: 'error',
      },
      client: timed,
      logger: silentLogger,
    });
    const end = Date.now() + RUN_MS;
    const cpu0 = process.cpuUsage();
    await handler({}, { awsRequestId: 'bench', getRemainingTimeInMillis: () => end - Date.now() } as never);
    const cpu = process.cpuUsage(cpu0);
    const errors = beats
      .slice(1)
      .map((t, i) => Math.abs(t - (beats[i] ?? t) - INTERVAL_MS))
      .sort((a, b) => a - b);
    printTable(
      `Heartbeat: one ${RUN_MS / 1000} s invocation, interval ${INTERVAL_MS} ms (goal: p99 interval error < 100 ms)`,
      [
        {
          beats: beats.length,
          'CPU µs/beat': Math.round((cpu.user + cpu.system) / Math.max(1, beats.length)),
          'interval error p50 ms': percentile(errors, 50).toFixed(2),
          'p99 ms': percentile(errors, 99).toFixed(2),
          'max ms': (errors.at(-1) ?? Number.NaN).toFixed(2),
        },
      ],
    );
  } finally {
    await transport.close();
    stop();
  }
}
