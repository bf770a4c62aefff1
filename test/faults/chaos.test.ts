/**
 * Chaos run of the checkpoint function: for several seeds, 2,000 records over 200 shards, three
 * writers per shard, through 5xx storms, 403 throttling, connections reset before and after SLS
 * applied the write, replies slower than the attempt time limit (applied late) and stalls. Every
 * record is accounted for from the emulator's own state once every request it received has been
 * applied: landed (reported landed, and its shard holds its cursor or a newer one), reported
 * (in batchItemFailures), or lost (reported landed while its shard holds an older cursor).
 * The bar: lost = 0.
 */

import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/checkpoint/cursor.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { FaultAction, FaultRequest, SlsEmulator } from '../../src/emulator/types.ts';
import { createCheckpointHandler } from '../../src/handlers/checkpoint.ts';
import { silentLogger } from '../../src/log.ts';
import { SlsClient } from '../../src/sls/client.ts';
import { createUndiciTransport, type HttpTransport } from '../../src/sls/http.ts';
import { createManualClock } from '../helpers/clock.ts';
import { cursor, lambdaContext, sqsEventOf } from '../helpers/factories.ts';
import { seededRandom } from '../helpers/random.ts';
import { staticCredentials, TEST_KEY } from '../helpers/sls.ts';

const PROJECT = 'chaos-project';
const LOGSTORE = 'chaos-logstore';
const SHARDS = 200;
const RECORDS = 2_000;
const BATCH = 500;
const WRITERS = ['writer-1', 'writer-2', 'writer-3'] as const;
const SEEDS = [1, 2, 3];

interface Tally {
  seed: number;
  records: number;
  landed: number;
  reported: number;
  lost: number;
  requests: number;
  faults: number;
  lateApplied: number;
  readBacks: number;
}

/** Cumulative chances of each fault per request; a 500 also starts a storm of 503s. */
const FAULTS: readonly [number, (random: () => number) => FaultAction][] = [
  [0.01, () => ({ kind: 'error', status: 500, code: 'InternalServerError' })],
  [0.04, () => ({ kind: 'error', status: 403, code: 'WriteQuotaExceed' })],
  [0.06, () => ({ kind: 'drop' })],
  [0.08, () => ({ kind: 'drop', applied: true })],
  // Slower than the 100 ms attempt limit: applied after the client gave up waiting.
  [0.12, (random) => ({ kind: 'delay', ms: 120 + Math.floor(random() * 180) })],
  [0.13, () => ({ kind: 'delay', ms: 600 })],
];
const STORM_REQUESTS = 80;

/** Faults for every request, from the seed: storms come in bursts, the rest at random. */
function chaosPolicy(random: () => number, tally: Tally) {
  let storm = 0;
  return (request: FaultRequest): FaultAction | undefined => {
    if (request.operation !== 'checkpoint' && request.operation !== 'getCheckpoint') return undefined;
    tally.requests++;
    if (storm > 0) {
      storm--;
      tally.faults++;
      return { kind: 'error', status: 503, code: 'ServerBusy' };
    }
    const roll = random();
    const fault = FAULTS.find(([chance]) => roll < chance)?.[1](random);
    if (fault === undefined) return undefined;
    tally.faults++;
    if (fault.kind === 'error' && fault.status === 500) storm = STORM_REQUESTS;
    if (fault.kind === 'delay' && request.operation === 'checkpoint') tally.lateApplied++;
    return fault;
  };
}

let emulator: SlsEmulator;
let transport: HttpTransport;
const tallies: Tally[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ keys: [TEST_KEY] });
  emulator.createLogstore(PROJECT, LOGSTORE, SHARDS);
  transport = createUndiciTransport({ connectTimeoutMs: 500 });
});
afterAll(async () => {
  emulator.setFaultPolicy(undefined);
  await transport.close();
  await emulator.close();
  // biome-ignore lint/suspicious/noConsole: the accounting table is this suite's report.
  console.table(tallies);
});

async function runSeed(seed: number): Promise<Tally> {
  const random = seededRandom(seed);
  const group = `chaos-group-${seed}`;
  emulator.createConsumerGroup(PROJECT, LOGSTORE, group, { timeoutSeconds: 3_600 });
  const clock = createManualClock();
  const client = new SlsClient({
    credentials: staticCredentials({
      accessKeyId: TEST_KEY.accessKeyId,
      accessKeySecret: TEST_KEY.accessKeySecret,
    }),
    transport,
    sleep: clock.sleep,
    random,
    retry: { attemptTimeoutMs: 100, minAttemptMs: 20, maxAttempts: 6 },
  });
  const target = { endpoint: emulator.url, project: PROJECT, logstore: LOGSTORE, consumerGroup: group };
  for (const writer of WRITERS) await client.heartbeat(target, writer, []);
  const handler = createCheckpointHandler({
    config: { ...target, monotonic: seed % 2 === 0, concurrency: 32, logLevel: 'error' },
    client,
    logger: silentLogger,
  });

  // Every shard's cursors grow in event order; each record is written by one of three writers.
  const next = new Map<number, number>();
  const bodies = Array.from({ length: RECORDS }, () => {
    const shard = Math.floor(random() * SHARDS);
    const position = (next.get(shard) ?? 0) + 1;
    next.set(shard, position);
    const writer = WRITERS[Math.floor(random() * WRITERS.length)] as string;
    return {
      shard,
      checkpoint: cursor(1_700_000_000_000_000_000n + BigInt(position)),
      ...(random() < 0.25 ? {} : { consumer: writer, forceSuccess: true }),
    };
  });

  const tally: Tally = {
    seed,
    records: RECORDS,
    landed: 0,
    reported: 0,
    lost: 0,
    requests: 0,
    faults: 0,
    lateApplied: 0,
    readBacks: 0,
  };
  emulator.clearRequests();
  emulator.setFaultPolicy(chaosPolicy(random, tally));
  const reportedLanded: { shard: number; value: bigint }[] = [];
  for (let start = 0; start < RECORDS; start += BATCH) {
    const event = sqsEventOf(bodies.slice(start, start + BATCH));
    const reply = (await handler(event, lambdaContext(60_000))) as SQSBatchResponse;
    const failed = new Set(reply.batchItemFailures.map((f) => f.itemIdentifier));
    for (const record of event.Records) {
      const body = JSON.parse(record.body) as { shard: number; checkpoint: string };
      if (failed.has(record.messageId)) tally.reported++;
      else reportedLanded.push({ shard: body.shard, value: decodeCursor(body.checkpoint) as bigint });
    }
  }
  emulator.setFaultPolicy(undefined);
  // Anything still on its way lands before the state is read: late writes count against us.
  await emulator.idle();
  tally.readBacks = emulator.requests.filter((r) => r.operation === 'getCheckpoint').length;
  const stored = new Map(
    emulator.checkpoints(PROJECT, LOGSTORE, group).map((c) => [c.shard, decodeCursor(c.checkpoint) ?? -1n]),
  );
  for (const { shard, value } of reportedLanded) {
    if ((stored.get(shard) ?? -1n) >= value) tally.landed++;
    else tally.lost++;
  }
  return tally;
}

describe('chaos: every record is landed or reported, never lost', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${RECORDS} records over ${SHARDS} shards, three writers per shard`, async () => {
      const tally = await runSeed(seed);
      tallies.push(tally);
      expect(tally.landed + tally.reported + tally.lost).toBe(RECORDS);
      // The run must have been hard enough to mean something.
      expect(tally.faults).toBeGreaterThan(20);
      expect(tally.lateApplied).toBeGreaterThan(5);
      expect(tally.lost).toBe(0);
    }, 120_000);
  }
});
