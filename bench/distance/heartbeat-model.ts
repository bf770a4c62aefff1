/**
 * Heartbeat capacity on a model: the real `runHeartbeats` and the real `SlsClient` on simulated
 * time over a model of the wire (`wire-model.ts`: round trips with jitter, handshakes per new
 * connection, undici's pooling) in front of the emulator's consumer-group model, replaying the
 * invocation schedule; searched for the most targets that pass. Exact to the model, and fast.
 */
import { runHeartbeats } from '../../src/heartbeat/run.ts';
import { createHeartbeatState } from '../../src/heartbeat/state.ts';
import { silentLogger } from '../../src/log.ts';
import { SlsClient } from '../../src/sls/client.ts';
import { createSimulatedClock } from '../../test/helpers/clock.ts';
import { seededRandom } from '../../test/helpers/random.ts';
import { INVOCATIONS, KEY, longestGap, START_DELAY_MS, TIMING, targets } from './heartbeat-schedule.ts';
import type { Distance } from './profile.ts';
import { WireModel } from './wire-model.ts';

/** The most targets a search tries. */
export const MAX_TARGETS = 2_000;

interface Outcome {
  readonly longestGapMs: number;
  readonly expired: number;
  readonly connections: number;
}

/** Five scheduled invocations of `runHeartbeats` on simulated time over the wire model. */
export async function modelRun(
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
export async function mostTargets(
  distance: Distance,
  concurrency: number,
  groupTimeoutMs: number,
): Promise<number> {
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
