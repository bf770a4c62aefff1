/**
 * What the heartbeat function remembers between warm invocations. A scheduled function runs for
 * less than a minute at a time, but the consumer it keeps alive lives on: the next invocation must
 * report the shards SLS assigned last, not start over, and serve first the targets that waited.
 */
import type { HeartbeatTarget } from './types.ts';

export interface TargetState {
  /**
   * The shards to report: the last assignment, or those recovered from checkpoints on a cold
   * start. Undefined while unknown (the checkpoints are then read before the next beat).
   */
  readonly shards?: readonly number[] | undefined;
  /** Epoch ms of the last heartbeat SLS acknowledged; undefined before the first one. */
  readonly lastSuccessAt?: number | undefined;
  /** Epoch ms the last beat started, successful or not: the least recent goes first. */
  readonly lastStartedAt?: number | undefined;
}

/** Per-target state, keyed by `stateKey`. Keep one at module scope so warm invocations share it. */
export type HeartbeatState = Map<string, TargetState>;

/** An empty state, as after a cold start. */
export function createHeartbeatState(): HeartbeatState {
  return new Map();
}

/** The key of a target's state: endpoint, group and consumer (one consumer may be in several groups). */
export function stateKey(target: HeartbeatTarget): string {
  return [target.endpoint, target.project, target.logstore, target.consumerGroup, target.consumer].join(
    '\u0000',
  );
}
