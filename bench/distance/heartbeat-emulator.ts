/**
 * A cross-check of the model against the real thing: the real use case, client and undici
 * against the real emulator (its own process), replaying the invocation schedule with every time
 * scaled by `EMULATOR_SCALE` (round trip, jitter, handshakes, timeouts, backoff, idle
 * connections), so five invocations take a minute. Gaps are measured from the replies. What does
 * not scale is a few milliseconds of CPU and loopback per request, so it is a little pessimistic.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runHeartbeats } from '../../src/heartbeat/run.ts';
import { createHeartbeatState } from '../../src/heartbeat/state.ts';
import { silentLogger } from '../../src/log.ts';
import { SlsClient } from '../../src/sls/client.ts';
import { createUndiciTransport } from '../../src/sls/http.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/sls/retry.ts';
import { startEmulatorProcess } from '../emulator-process.ts';
import {
  INVOCATIONS,
  KEEP_ALIVE_MS,
  KEY,
  longestGap,
  START_DELAY_MS,
  TIMING,
  targets,
} from './heartbeat-schedule.ts';
import { type Distance, emulatorFlags } from './profile.ts';

/**
 * Each request also costs a few milliseconds that do not scale (both processes' CPU, loopback);
 * at 1/5 they are about a tenth of a round trip, at 1/10 a third, which no longer looks like SLS.
 */
export const EMULATOR_SCALE = 0.2;

/**
 * The deployed timing at `EMULATOR_SCALE`, against the real emulator in its own process: the
 * real use case, client and undici, every time scaled (the client's retry policy and undici's
 * idle-connection lifetime too). Gaps are measured from the replies, shown at full scale.
 */
export async function emulatorRun(distance: Distance, count: number, concurrency: number) {
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
