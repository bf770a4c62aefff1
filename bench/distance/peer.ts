/**
 * The peer at a distance: what a team would write without this project, a naive SQS handler on
 * the official Node SDK (`@alicloud/sls20201230`, as Alibaba Cloud documents it) that sends one
 * ConsumerGroupUpdateCheckPoint per record, in order, compared with our handler on the same
 * batches. It runs against the emulator in this process; the SDK connects to
 * `{project}.{endpoint}`, so names under `.sls-emulator.test` (a reserved TLD) resolve to
 * loopback here (the conformance tests' patched `dns.lookup`, put back afterwards).
 *
 * Requests are sequential, so the peer's time grows by one round trip per record: batches whose
 * run would take longer than `MEASURE_BUDGET_MS` are extrapolated from the measured mean per
 * request (and say so).
 */
import dns from 'node:dns';
import { createRequire } from 'node:module';
import { DEFAULT_CHECKPOINT_CONCURRENCY } from '../../src/config.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { SlsEmulator } from '../../src/emulator/types.ts';
import { EMULATOR_DOMAIN as DOMAIN, loopbackLookup } from '../../test/conformance/loopback.ts';
import { startEmulatorProcess } from '../emulator-process.ts';
import { updateEachRecord } from '../peer/naive-checkpoint.ts';
import { printTable } from '../table.ts';
import { BENCH_KEY, FUNCTION_TIMEOUT_MS, runBatch } from './checkpoint.ts';
import { type Distance, describeDistance, emulatorFlags, sqsBatch } from './profile.ts';

// CommonJS, loaded as a Node user's `require` would.
const require = createRequire(import.meta.url);
const Sls = require('@alicloud/sls20201230') as typeof import('@alicloud/sls20201230');
const { $OpenApiUtil } = require('@alicloud/openapi-core') as typeof import('@alicloud/openapi-core');

const PROJECT = 'peer-project';
const LOGSTORE = 'peer-logstore';
const GROUP = 'peer-group';
const SHARDS = 64;
const BATCHES = [10, 100, 1_000, 10_000];
/** Longest a measured peer batch may run; longer ones are extrapolated. */
const MEASURE_BUDGET_MS = 30_000;

/** The peer of bench/peer/naive-checkpoint.ts on `client`; a record it could not write fails the bench. */
function naiveHandler(client: InstanceType<typeof Sls.default>) {
  return async (event: ReturnType<typeof sqsBatch>): Promise<number> => {
    const { batchItemFailures } = await updateEachRecord(
      client,
      { project: PROJECT, logstore: LOGSTORE, consumerGroup: GROUP },
      event,
    );
    if (batchItemFailures.length > 0) throw new Error(`the peer failed ${batchItemFailures.length} records`);
    return event.Records.length;
  };
}

function sdkClient(emulator: SlsEmulator) {
  return new Sls.default(
    new $OpenApiUtil.Config({
      accessKeyId: BENCH_KEY.accessKeyId,
      accessKeySecret: BENCH_KEY.accessKeySecret,
      endpoint: `${DOMAIN}:${new URL(emulator.url).port}`,
      protocol: 'HTTP',
    }),
  );
}

/** An emulator at `distance` that verifies the SDK's default (v1 hmac-sha256) signatures. */
async function peerEmulator(distance: Distance): Promise<SlsEmulator> {
  const emulator = await startEmulator({
    keys: [BENCH_KEY],
    latency: { rttMs: distance.rttMs, jitterMs: distance.jitterMs, setupMs: distance.setupMs },
  });
  emulator.createLogstore(PROJECT, LOGSTORE, SHARDS);
  emulator.createConsumerGroup(PROJECT, LOGSTORE, GROUP, { timeoutSeconds: 60 });
  return emulator;
}

/**
 * Prints the peer next to ours for batches over 64 shards at `distance`. `ours` (kept-alive wall
 * time per batch size, from the checkpoint benchmark) is measured here when not given.
 */
export async function benchPeerAtDistance(distance: Distance, measured?: Map<number, number>): Promise<void> {
  const ours = measured ?? (await oursAt(distance));
  const original = dns.lookup;
  dns.lookup = loopbackLookup(original);
  const rows: Record<string, unknown>[] = [];
  let emulator: SlsEmulator | undefined;
  let perRequestMs = Number.NaN;
  try {
    emulator = await peerEmulator(distance);
    const handler = naiveHandler(sdkClient(emulator));
    for (const records of BATCHES) {
      const estimateMs = records * (Number.isNaN(perRequestMs) ? distance.rttMs : perRequestMs);
      const measure = estimateMs <= MEASURE_BUDGET_MS;
      let peerMs: number;
      if (measure) {
        const started = performance.now();
        await handler(sqsBatch(records, SHARDS));
        peerMs = performance.now() - started;
        perRequestMs = peerMs / records;
      } else {
        peerMs = perRequestMs * records;
      }
      const oursMs = ours.get(records) ?? Number.NaN;
      rows.push({
        records,
        'peer requests': records,
        'peer ms': `${peerMs.toFixed(0)}${measure ? '' : ' (extrapolated)'}`,
        [`peer fits ${FUNCTION_TIMEOUT_MS / 1000} s`]: peerMs < FUNCTION_TIMEOUT_MS - 2_000 ? 'yes' : 'no',
        'ours ms': oursMs.toFixed(0),
        'peer / ours': `${(peerMs / oursMs).toFixed(0)}x`,
      });
    }
  } finally {
    dns.lookup = original;
    await emulator?.close();
  }
  printTable(
    `Peer at ${describeDistance(distance)}: naive handler on @alicloud/sls20201230 5.9.0 ` +
      `(one ConsumerGroupUpdateCheckPoint per record, in order, its default keep-alive agent) vs ours, ` +
      `${SHARDS} shards, kept-alive connections; the emulator verified its signatures`,
    rows,
  );
}

/** Our kept-alive time per batch over 64 shards, when the checkpoint benchmark did not run. */
async function oursAt(distance: Distance): Promise<Map<number, number>> {
  const emulator = await startEmulatorProcess(
    ['--project', 'bench-project', '--logstore', 'bench-logstore', '--group', 'bench-group', '--shards', '64']
      .concat(['--access-key-id', BENCH_KEY.accessKeyId])
      .concat(emulatorFlags(distance)),
    BENCH_KEY.accessKeySecret,
  );
  const ours = new Map<number, number>();
  try {
    for (const records of BATCHES) {
      ours.set(
        records,
        (await runBatch(emulator.url, records, SHARDS, DEFAULT_CHECKPOINT_CONCURRENCY)).warmMs,
      );
    }
  } finally {
    emulator.stop();
  }
  return ours;
}
