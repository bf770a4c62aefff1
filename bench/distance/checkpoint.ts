/**
 * Checkpoint at a distance: SQS batches of 10 to 10,000 records over 8, 64 and 512 shards through
 * the real checkpoint handler, real client and undici, against the emulator (in its own process)
 * at the given round trip. Each batch runs twice: on new connections (a cold container, every
 * connection pays its handshakes) and again on the kept-alive ones (a warm container).
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { DEFAULT_CHECKPOINT_CONCURRENCY } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { SlsClient } from '../../src/sls/client.ts';
import { createUndiciTransport } from '../../src/sls/http.ts';
import { startEmulatorProcess } from '../emulator-process.ts';
import { printTable } from '../table.ts';
import {
  countConnections,
  countingTransport,
  type Distance,
  describeDistance,
  emulatorFlags,
  lambdaContext,
  sqsBatch,
} from './profile.ts';

export const BENCH_KEY = { accessKeyId: 'LTAIbenchDistance', accessKeySecret: 'bench-distance-secret' };
const TARGET = { project: 'bench-project', logstore: 'bench-logstore', consumerGroup: 'bench-group' };
/** The deployed function's timeout and the SQS event source's MaximumConcurrency (serverless.yml). */
export const FUNCTION_TIMEOUT_MS = 30_000;
export const MAX_CONCURRENCY = 5;

export interface BatchRun {
  readonly updates: number;
  readonly reads: number;
  readonly connections: number;
  readonly coldMs: number;
  readonly warmMs: number;
  readonly cpuMs: number;
  readonly failures: number;
}

type Handler = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;

/** Our checkpoint handler for the emulator at `url`, with its own transport. */
export async function ourHandler(url: string, concurrency: number) {
  // The handler module builds its production handler from the environment at import.
  Object.assign(process.env, {
    SLS_ENDPOINT: url,
    SLS_PROJECT: TARGET.project,
    SLS_LOGSTORE: TARGET.logstore,
    SLS_CONSUMER_GROUP: TARGET.consumerGroup,
    SLS_CREDENTIALS_SECRET_ID: 'bench',
  });
  const { createCheckpointHandler } = await import('../../src/handlers/checkpoint.ts');
  const transport = countingTransport(createUndiciTransport());
  const client = new SlsClient({
    credentials: { get: async () => BENCH_KEY, refresh: async () => BENCH_KEY },
    transport,
  });
  const handler = createCheckpointHandler({
    config: { endpoint: url, ...TARGET, monotonic: false, concurrency, logLevel: 'error' },
    client,
    logger: silentLogger,
  }) as unknown as Handler;
  return { handler, transport };
}

/** One batch on new connections, then the next on the kept-alive ones; every record counted. */
export async function runBatch(
  url: string,
  records: number,
  shards: number,
  concurrency: number,
): Promise<BatchRun> {
  const { handler, transport } = await ourHandler(url, concurrency);
  const connections = countConnections();
  try {
    let started = performance.now();
    const cold = await handler(sqsBatch(records, shards), lambdaContext(FUNCTION_TIMEOUT_MS));
    const coldMs = performance.now() - started;
    const updates = transport.counts.get('UpdateCheckPoint') ?? 0;
    const reads = transport.counts.get('GetCheckPoint') ?? 0;
    const opened = connections.count;
    const cpu0 = process.cpuUsage();
    started = performance.now();
    const warm = await handler(sqsBatch(records, shards, records), lambdaContext(FUNCTION_TIMEOUT_MS));
    const warmMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    return {
      updates,
      reads,
      connections: opened,
      coldMs,
      warmMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      failures: cold.batchItemFailures.length + warm.batchItemFailures.length,
    };
  } finally {
    connections.stop();
    await transport.close();
  }
}

const BATCHES = [10, 100, 1_000, 10_000];
const SHARDS = [8, 64, 512];
const CONCURRENCY_SWEEP = [8, 16, 32, 64];

function row(records: number, shards: number, concurrency: number, run: BatchRun) {
  const perInvocation = records / (run.warmMs / 1000);
  return {
    records,
    shards,
    concurrency,
    UpdateCheckPoint: run.updates,
    GetCheckPoint: run.reads,
    connections: run.connections,
    'new conns ms': run.coldMs.toFixed(0),
    'kept-alive ms': run.warmMs.toFixed(0),
    'CPU ms': run.cpuMs.toFixed(0),
    'rec/s per invocation': perInvocation.toFixed(0),
    [`rec/s per stack (x${MAX_CONCURRENCY})`]: (perInvocation * MAX_CONCURRENCY).toFixed(0),
    'not landed': run.failures,
  };
}

/** Prints the checkpoint table at `distance`; returns the kept-alive wall time per batch over 64 shards. */
export async function benchCheckpointAtDistance(distance: Distance): Promise<Map<number, number>> {
  const emulator = await startEmulatorProcess(
    ['--project', TARGET.project, '--logstore', TARGET.logstore, '--group', TARGET.consumerGroup]
      .concat(['--shards', String(Math.max(...SHARDS)), '--access-key-id', BENCH_KEY.accessKeyId])
      .concat(emulatorFlags(distance)),
    BENCH_KEY.accessKeySecret,
  );
  const ours = new Map<number, number>();
  try {
    const rows: Record<string, unknown>[] = [];
    for (const shards of SHARDS) {
      for (const records of BATCHES) {
        const run = await runBatch(emulator.url, records, shards, DEFAULT_CHECKPOINT_CONCURRENCY);
        if (shards === 64) ours.set(records, run.warmMs);
        rows.push(row(records, shards, DEFAULT_CHECKPOINT_CONCURRENCY, run));
      }
    }
    printTable(
      `Checkpoint at ${describeDistance(distance)}: SQS batches through the handler, ` +
        `CHECKPOINT_CONCURRENCY ${DEFAULT_CHECKPOINT_CONCURRENCY} (default), function timeout ${FUNCTION_TIMEOUT_MS / 1000} s`,
      rows,
    );
    const sweep: Record<string, unknown>[] = [];
    for (const concurrency of CONCURRENCY_SWEEP) {
      sweep.push(row(10_000, 512, concurrency, await runBatch(emulator.url, 10_000, 512, concurrency)));
    }
    printTable(
      `Checkpoint at ${distance.rttMs} ms: 10,000 records over 512 shards by CHECKPOINT_CONCURRENCY`,
      sweep,
    );
  } finally {
    emulator.stop();
  }
  return ours;
}
