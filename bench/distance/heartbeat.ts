/**
 * Heartbeat at a distance: how many targets one heartbeat function keeps alive with no consumer
 * ever past half its group timeout between two acknowledged beats, at the deployed timing
 * (schedule every 60 s, Lambda timeout 50 s, HEARTBEAT_INTERVAL_SECONDS 20, request timeout 5 s,
 * safety margin 3 s), by HEARTBEAT_CONCURRENCY.
 *
 * Two ways, said in the output:
 * - model: the real `runHeartbeats` and the real `SlsClient` on simulated time over a model of
 *   the wire (`wire-model.ts`: round trips with jitter, handshakes per new connection, undici's
 *   pooling) in front of the emulator's consumer-group model; five invocations (cold, warm, warm,
 *   cold, warm), searched for the most targets that pass. Exact to the model, and fast.
 * - emulator: a cross-check of one point with the real use case, client and undici against the
 *   real emulator (its own process), every time scaled by `EMULATOR_SCALE` (round trip, jitter,
 *   handshakes, timeouts, backoff, idle connections) so five invocations take a minute; gaps are
 *   measured from the replies. What does not scale is a few milliseconds of CPU and loopback per
 *   request, so it is a little pessimistic.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_HEARTBEAT_CONCURRENCY } from '../../src/config.ts';
import { DEFAULT_MIN_BEAT_MS, runHeartbeats } from '../../src/heartbeat/run.ts';
import { createHeartbeatState } from '../../src/heartbeat/state.ts';
import type { HeartbeatTarget } from '../../src/heartbeat/types.ts';
import { silentLogger } from '../../src/log.ts';
import { SlsClient } from '../../src/sls/client.ts';
import { createUndiciTransport } from '../../src/sls/http.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/sls/retry.ts';
import { createSimulatedClock } from '../../test/helpers/clock.ts';
import { seededRandom } from '../../test/helpers/random.ts';
import { startEmulatorProcess } from '../emulator-process.ts';
import { printTable } from '../table.ts';
import { type Distance, describeDistance, emulatorFlags } from './profile.ts';
import { WireModel } from './wire-model.ts';

const KEY = { accessKeyId: 'LTAIbenchHeartbeat', accessKeySecret: 'bench-heartbeat-secret' };
/** The deployed timing (serverless.yml and the config defaults), in ms. */
const TIMING = {
  periodMs: 60_000,
  lambdaTimeoutMs: 50_000,
  intervalMs: 20_000,
  requestTimeoutMs: DEFAULT_MIN_BEAT_MS,
  safetyMarginMs: 3_000,
  groupTimeoutMs: 60_000,
};
/** The group timeouts compared: the default, and the README's recommendation. */
const GROUP_TIMEOUTS_MS = [60_000, 120_000];
/** How long undici keeps an idle connection (`createUndiciTransport`'s default). */
const KEEP_ALIVE_MS = 15_000;
/** Scheduler delay plus start-up before the handler runs: warm, and cold (import, secret fetch). */
const START_DELAY_MS = { warm: 500, cold: 1_500 };
/** Five invocations: a cold start, two warm ones, a new container, one more warm one. */
const INVOCATIONS: readonly ('cold' | 'warm')[] = ['cold', 'warm', 'warm', 'cold', 'warm'];
const CONCURRENCY = [1, 2, 4, 8, 16, 32, 64];
const MAX_TARGETS = 2_000;
const TARGETS_PER_GROUP = 10;
/**
 * The emulator cross-check runs every time (idle connections' lifetime included) at this scale.
 * Each request also costs a few milliseconds that do not scale (both processes' CPU, loopback);
 * at 1/5 they are about a tenth of a round trip, at 1/10 a third, which no longer looks like SLS.
 */
const EMULATOR_SCALE = 0.2;

function targets(count: number, endpoint: string, project: string): HeartbeatTarget[] {
  return Array.from({ length: count }, (_, i) => ({
    endpoint,
    project,
    logstore: 'bench-logstore',
    consumerGroup: `g${Math.floor(i / TARGETS_PER_GROUP)}`,
    consumer: `c${i}`,
  }));
}

/** Longest time between two acknowledged beats of any consumer, from its first one on. */
function longestGap(beats: ReadonlyMap<string, readonly number[]>, consumers: number): number {
  let longest = 0;
  if (beats.size < consumers) return Number.POSITIVE_INFINITY;
  for (const times of beats.values()) {
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  }
  return longest;
}

interface Outcome {
  readonly longestGapMs: number;
  readonly expired: number;
  readonly connections: number;
}

/** Five scheduled invocations of `runHeartbeats` on simulated time over the wire model. */
async function modelRun(
  distance: Distance,
  count: number,
  concurrency: number,
  groupTimeoutMs: number,
): Promise<Outcome> {
  const clock = createSimulatedClock(0);
  const random = seededRandom(count * 131 + concurrency);
  const wire = new WireModel({ distance, clock, random });
  const list = targets(count, 'model.log.aliyuncs.com', 'bench-project');
  wire.sls.createLogstore('bench-project', 'bench-logstore', 8);
  for (const group of new Set(list.map((t) => t.consumerGroup))) {
    wire.sls.createConsumerGroup('bench-project', 'bench-logstore', group, {
      timeoutSeconds: groupTimeoutMs / 1000,
    });
  }
  let state = createHeartbeatState();
  let transport = wire.transport();
  for (const [k, kind] of INVOCATIONS.entries()) {
    if (kind === 'cold') {
      state = createHeartbeatState();
      transport = wire.transport();
    }
    const startAt = k * TIMING.periodMs + START_DELAY_MS[kind];
    clock.set(Math.max(clock.now(), startAt));
    const end = k * TIMING.periodMs + TIMING.lambdaTimeoutMs;
    const client = new SlsClient({
      credentials: { get: async () => KEY, refresh: async () => KEY },
      transport,
      now: clock.now,
      sleep: clock.sleep,
      random,
      retry: { attemptTimeoutMs: TIMING.requestTimeoutMs },
    });
    await clock.run(
      runHeartbeats(list, {
        client,
        now: clock.now,
        sleep: clock.sleep,
        remainingMs: () => end - clock.now(),
        intervalMs: TIMING.intervalMs,
        safetyMarginMs: TIMING.safetyMarginMs,
        concurrency,
        logger: silentLogger,
        state,
        groupTimeoutMs,
        minBeatMs: TIMING.requestTimeoutMs,
      }),
    );
  }
  return {
    longestGapMs: longestGap(wire.beats, count),
    expired: wire.expired,
    connections: wire.connectionsOpened,
  };
}

/** No consumer went longer than half its group timeout between acknowledged beats. */
const passes = (o: Outcome, groupTimeoutMs: number) =>
  o.longestGapMs <= groupTimeoutMs / 2 && o.expired === 0;

/** The most targets (up to MAX_TARGETS) that pass, to within 2 %. */
async function mostTargets(distance: Distance, concurrency: number, groupTimeoutMs: number): Promise<number> {
  const run = async (n: number) =>
    passes(await modelRun(distance, n, concurrency, groupTimeoutMs), groupTimeoutMs);
  let good = 0;
  let bad = MAX_TARGETS + 1;
  for (let n = 25; n <= MAX_TARGETS; n *= 2) {
    if (await run(n)) good = n;
    else {
      bad = n;
      break;
    }
  }
  if (bad > MAX_TARGETS && good > 0) {
    if (await run(MAX_TARGETS)) return MAX_TARGETS;
    bad = MAX_TARGETS;
  }
  // Bisect to within 2 %.
  while (bad - good > Math.max(1, good * 0.02)) {
    const mid = Math.floor((good + bad) / 2);
    if (await run(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/**
 * The deployed timing at `EMULATOR_SCALE`, against the real emulator in its own process: the
 * real use case, client and undici, every time scaled (the client's retry policy and undici's
 * idle-connection lifetime too). Gaps are measured from the replies, shown at full scale.
 */
async function emulatorRun(distance: Distance, count: number, concurrency: number) {
  const scale = EMULATOR_SCALE;
  const emulator = await startEmulatorProcess(
    ['--project', 'bench-project', '--logstore', 'bench-logstore', '--group', 'g0', '--shards', '8']
      .concat(['--timeout', String((TIMING.groupTimeoutMs * scale) / 1000)])
      .concat(['--access-key-id', KEY.accessKeyId])
      .concat(emulatorFlags(distance, scale)),
    KEY.accessKeySecret,
  );
  // One group: `npm run emulator` creates one, and every consumer in it counts the same.
  const list = targets(count, emulator.url, 'bench-project').map((t) => ({ ...t, consumerGroup: 'g0' }));
  const beats = new Map<string, number[]>();
  let reRegistrations = 0;
  let state = createHeartbeatState();
  let transport = createUndiciTransport({ keepAliveTimeoutMs: KEEP_ALIVE_MS * scale });
  const origin = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    for (const [k, kind] of INVOCATIONS.entries()) {
      if (kind === 'cold') {
        await transport.close();
        transport = createUndiciTransport({ keepAliveTimeoutMs: KEEP_ALIVE_MS * scale });
        state = createHeartbeatState();
      }
      const client = new SlsClient({
        credentials: { get: async () => KEY, refresh: async () => KEY },
        transport,
        retry: {
          attemptTimeoutMs: TIMING.requestTimeoutMs * scale,
          minAttemptMs: DEFAULT_RETRY_POLICY.minAttemptMs * scale,
          baseDelayMs: DEFAULT_RETRY_POLICY.baseDelayMs * scale,
          maxDelayMs: DEFAULT_RETRY_POLICY.maxDelayMs * scale,
        },
      });
      const timed: typeof client = Object.create(client);
      timed.heartbeat = async (...args: Parameters<SlsClient['heartbeat']>) => {
        const shards = await client.heartbeat(...args);
        beats.set(args[1], [...(beats.get(args[1]) ?? []), performance.now()]);
        return shards;
      };
      const wait = origin + (k * TIMING.periodMs + START_DELAY_MS[kind]) * scale - performance.now();
      if (wait > 0) await delay(wait);
      const end = origin + (k * TIMING.periodMs + TIMING.lambdaTimeoutMs) * scale;
      const report = await runHeartbeats(list, {
        client: timed,
        now: Date.now,
        sleep: delay,
        remainingMs: () => end - performance.now(),
        intervalMs: TIMING.intervalMs * scale,
        safetyMarginMs: TIMING.safetyMarginMs * scale,
        concurrency,
        logger: silentLogger,
        state,
        groupTimeoutMs: TIMING.groupTimeoutMs * scale,
        minBeatMs: TIMING.requestTimeoutMs * scale,
        minAttemptMs: DEFAULT_RETRY_POLICY.minAttemptMs * scale,
      });
      reRegistrations += report.targets.reduce((n, t) => n + t.reRegistrations, 0);
    }
  } finally {
    await transport.close();
    emulator.stop();
  }
  const cpu = process.cpuUsage(cpu0);
  const acknowledged = [...beats.values()].reduce((n, t) => n + t.length, 0);
  return {
    longestGapMs: longestGap(beats, count) / scale,
    expired: reRegistrations,
    cpuUsPerBeat: (cpu.user + cpu.system) / Math.max(1, acknowledged),
  };
}

export async function benchHeartbeatAtDistance(distance: Distance): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const concurrency of CONCURRENCY) {
    const row: Record<string, unknown> = { HEARTBEAT_CONCURRENCY: concurrency };
    for (const groupTimeoutMs of GROUP_TIMEOUTS_MS) {
      const most = await mostTargets(distance, concurrency, groupTimeoutMs);
      row[`most targets, group timeout ${groupTimeoutMs / 1000} s`] =
        most < MAX_TARGETS ? most : `>= ${most}`;
    }
    const atHundred = await modelRun(distance, 100, concurrency, TIMING.groupTimeoutMs);
    row['longest gap at 100 targets, s'] = (atHundred.longestGapMs / 1000).toFixed(1);
    row['connections opened at 100'] = atHundred.connections;
    rows.push(row);
  }
  printTable(
    `Heartbeat at ${describeDistance(distance)}, model (simulated time): the most targets (of up to ${MAX_TARGETS}) ` +
      `one function keeps with no consumer past half its group timeout between acknowledged beats; ` +
      `interval ${TIMING.intervalMs / 1000} s, Lambda timeout ${TIMING.lambdaTimeoutMs / 1000} s, ` +
      `every ${TIMING.periodMs / 1000} s, five invocations (cold, warm, warm, cold, warm)`,
    rows,
  );
  const half = TIMING.groupTimeoutMs / 2;
  const concurrency = DEFAULT_HEARTBEAT_CONCURRENCY;
  const check = await emulatorRun(distance, 100, concurrency);
  printTable(
    `Heartbeat cross-check: the real use case, client and undici against the real emulator, ` +
      `every time scaled by ${EMULATOR_SCALE} (gaps shown at full scale), group timeout ${TIMING.groupTimeoutMs / 1000} s`,
    [
      {
        targets: 100,
        HEARTBEAT_CONCURRENCY: concurrency,
        'longest gap, s': (check.longestGapMs / 1000).toFixed(1),
        [`within ${half / 1000} s`]: check.longestGapMs <= half ? 'yes' : 'no',
        're-registrations (expired)': check.expired,
        'CPU µs per beat': check.cpuUsPerBeat.toFixed(0),
      },
    ],
  );
}
