/** Exponential backoff with full jitter, bounded by attempts and by the caller's deadline. */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Cap of the first backoff; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Cap of any single backoff. */
  readonly maxDelayMs: number;
  /** Per-attempt time limit (connect + headers + body); shortened to fit the deadline. */
  readonly attemptTimeoutMs: number;
  /** An attempt is not started with less time than this left before the deadline. */
  readonly minAttemptMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  attemptTimeoutMs: 5_000,
  minAttemptMs: 250,
});

/**
 * Full-jitter backoff before retry number `retry` (1 for the first retry):
 * a uniform draw in [0, min(maxDelay, base * 2^(retry-1))). `random` returns [0, 1).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * cap);
}

/**
 * The time limit of the next attempt, or undefined when there is not enough time left before
 * `deadline` to start one.
 */
export function attemptBudget(now: number, deadline: number, policy: RetryPolicy): number | undefined {
  const left = deadline - now;
  if (left < policy.minAttemptMs) return undefined;
  return Math.min(policy.attemptTimeoutMs, left);
}
