/**
 * What the heartbeat benchmarks at a distance share: the deployed timing, the schedule of
 * invocations they replay, the targets, and how a run is judged.
 */
import { DEFAULT_MIN_BEAT_MS } from '../../src/heartbeat/run.ts';
import type { HeartbeatTarget } from '../../src/heartbeat/types.ts';

export const KEY = { accessKeyId: 'LTAIbenchHeartbeat', accessKeySecret: 'bench-heartbeat-secret' };
/** The deployed timing (serverless.yml and the config defaults), in ms. */
export const TIMING = {
  periodMs: 60_000,
  lambdaTimeoutMs: 50_000,
  intervalMs: 20_000,
  requestTimeoutMs: DEFAULT_MIN_BEAT_MS,
  safetyMarginMs: 3_000,
  groupTimeoutMs: 60_000,
};
/** How long undici keeps an idle connection (`createUndiciTransport`'s default). */
export const KEEP_ALIVE_MS = 15_000;
/** Scheduler delay plus start-up before the handler runs: warm, and cold (import, secret fetch). */
export const START_DELAY_MS = { warm: 500, cold: 1_500 };
/** Five invocations: a cold start, two warm ones, a new container, one more warm one. */
export const INVOCATIONS: readonly ('cold' | 'warm')[] = ['cold', 'warm', 'warm', 'cold', 'warm'];
const TARGETS_PER_GROUP = 10;

export function targets(count: number, endpoint: string, project: string): HeartbeatTarget[] {
  return Array.from({ length: count }, (_, i) => ({
    endpoint,
    project,
    logstore: 'bench-logstore',
    consumerGroup: `g${Math.floor(i / TARGETS_PER_GROUP)}`,
    consumer: `c${i}`,
  }));
}

/** Longest time between two acknowledged beats of any consumer, from its first one on. */
export function longestGap(beats: ReadonlyMap<string, readonly number[]>, consumers: number): number {
  let longest = 0;
  if (beats.size < consumers) return Number.POSITIVE_INFINITY;
  for (const times of beats.values()) {
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  }
  return longest;
}
