/** Types shared by the heartbeat use case and its handler. */
import type { SlsClient } from '../sls/client.ts';
import type { Target } from '../sls/types.ts';

/** The SLS calls the heartbeat use case makes. */
export type HeartbeatClient = Pick<SlsClient, 'heartbeat' | 'getCheckpoints' | 'createConsumerGroup'>;

/** A logical consumer to keep alive in a consumer group. */
export interface HeartbeatTarget extends Target {
  readonly consumer: string;
}

/** An error as it appears in summaries: what an operator needs, nothing that could hold a secret. */
export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly status?: number | undefined;
  readonly requestId?: string | undefined;
}

/** What one invocation did for one target. */
export interface TargetSummary {
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  readonly consumer: string;
  /** The shards held at the end: the last assignment, or the set kept through failures. */
  readonly shards: readonly number[];
  /** Beats SLS acknowledged. */
  readonly beats: number;
  /** Beats that failed (after the client's own retries). */
  readonly failures: number;
  /** Times the consumer had expired and was registered again with `[]`. */
  readonly reRegistrations: number;
  /** The most recent error of the invocation, even if later beats succeeded. */
  readonly lastError?: ErrorSummary | undefined;
}

/** What `runHeartbeats` returns. */
export interface HeartbeatReport {
  /** Beat rounds run; every target beats once per round. */
  readonly rounds: number;
  readonly targets: readonly TargetSummary[];
}

/** One target's beat in a round, as `runHeartbeats` reports it to `onRound` (metrics). */
export interface RoundBeat {
  readonly target: HeartbeatTarget;
  readonly ok: boolean;
  /** The consumer had expired and was registered again by this beat. */
  readonly reRegistered: boolean;
  /** Shards held after the beat. */
  readonly shards: number;
  /**
   * Time since the target's previous successful beat, taken at this beat (a gap that closed, or
   * one still open when the beat failed); undefined when unknown (no success since a cold start).
   */
  readonly sinceLastSuccessMs?: number | undefined;
}
