/**
 * Checkpoint throughput: 10,000 commands over 64 shards, written by three writers (consumers) and
 * by ownerless producers, through the real checkpoint handler against the emulator, next to a
 * naive baseline in the same run (one signed request per command, in order, a new connection
 * each). It also shows what the integrity rules cost on the happy path: exactly one
 * UpdateCheckPoint per distinct shard and no GetCheckPoint read-back.
 */
import { startEmulator } from '../src/emulator/server.ts';
import { silentLogger } from '../src/log.ts';
import { SlsClient } from '../src/sls/client.ts';
import type { HttpTransport } from '../src/sls/http.ts';
import { createUndiciTransport } from '../src/sls/http.ts';
import { printTable } from './table.ts';

const COMMANDS = 10_000;
const SHARDS = 64;
const KEY = { accessKeyId: 'LTAIbench', accessKeySecret: 'bench-secret' };

const cursor = (n: number): string =>
  Buffer.from(String(1_700_000_000_000_000_000n + BigInt(n))).toString('base64');

export async function benchCheckpointThroughput(): Promise<void> {
  const emulator = await startEmulator({ keys: [KEY] });
  emulator.createLogstore('bench-project', 'bench-logstore', SHARDS);
  emulator.createConsumerGroup('bench-project', 'bench-logstore', 'bench-group', { timeoutSeconds: 60 });
  const credentials = { get: async () => KEY, refresh: async () => KEY };
  const target = {
    endpoint: emulator.url,
    project: 'bench-project',
    logstore: 'bench-logstore',
    consumerGroup: 'bench-group',
  };
  const writers = [undefined, 'writer-1', 'writer-2', 'writer-3'];
  const commands = Array.from({ length: COMMANDS }, (_, i) => {
    const consumer = writers[Math.floor(i / SHARDS) % writers.length];
    return {
      shard: i % SHARDS,
      checkpoint: cursor(i),
      ...(consumer === undefined ? {} : { consumer, forceSuccess: true }),
    };
  });
  const count = (operation: string) => emulator.requests.filter((r) => r.operation === operation).length;
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 600_000 };
  const rows: Record<string, unknown>[] = [];
  try {
    // The handler module builds its production handler from the environment at import.
    Object.assign(process.env, {
      SLS_ENDPOINT: emulator.url,
      SLS_PROJECT: 'bench-project',
      SLS_LOGSTORE: 'bench-logstore',
      SLS_CONSUMER_GROUP: 'bench-group',
      SLS_CREDENTIALS_SECRET_ID: 'bench',
    });
    const { createCheckpointHandler } = await import('../src/handlers/checkpoint.ts');
    const transport = createUndiciTransport();
    const setup = new SlsClient({ credentials, transport });
    for (const writer of writers) if (writer !== undefined) await setup.heartbeat(target, writer, []);
    emulator.clearRequests();
    const handler = createCheckpointHandler({
      config: { ...target, monotonic: false, concurrency: 8, logLevel: 'error' },
      client: new SlsClient({ credentials, transport }),
      logger: silentLogger,
    });
    const mem0 = process.memoryUsage().rss;
    let started = performance.now();
    await handler(commands, context as never);
    const ours = performance.now() - started;
    const oursRequests = count('checkpoint');
    const readBacks = count('getCheckpoint');
    await transport.close();
    rows.push({
      path: 'checkpoint handler (one value per shard, keep-alive, 8 concurrent)',
      commands: COMMANDS,
      'distinct shards': new Set(commands.map((c) => c.shard)).size,
      UpdateCheckPoint: oursRequests,
      GetCheckPoint: readBacks,
      'wall ms': ours.toFixed(0),
      'rss delta MB': ((process.memoryUsage().rss - mem0) / 1e6).toFixed(1),
    });

    emulator.clearRequests();
    started = performance.now();
    for (const c of commands) {
      // A new connection for every request: a fresh transport, closed after use.
      const fresh: HttpTransport = createUndiciTransport();
      await new SlsClient({ credentials, transport: fresh }).updateCheckpoint(target, {
        ...c,
        forceSuccess: true,
      });
      await fresh.close();
    }
    const naive = performance.now() - started;
    rows.push({
      path: 'naive baseline (one request per command, in order, new connection each)',
      commands: COMMANDS,
      'distinct shards': SHARDS,
      UpdateCheckPoint: count('checkpoint'),
      GetCheckPoint: count('getCheckpoint'),
      'wall ms': naive.toFixed(0),
      'rss delta MB': '',
    });
    printTable(
      `Checkpoint throughput: ${COMMANDS} commands over ${SHARDS} shards, three writers (goal: UpdateCheckPoint = distinct shards, no GetCheckPoint, >= 20x faster)`,
      [
        ...rows,
        {
          path: 'speed-up',
          commands: '',
          'distinct shards': '',
          UpdateCheckPoint: '',
          GetCheckPoint: '',
          'wall ms': `${(naive / ours).toFixed(1)}x`,
          'rss delta MB': '',
        },
      ],
    );
  } finally {
    await emulator.close();
  }
}
