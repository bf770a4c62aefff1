import { describe, expect, it } from 'vitest';
import { attemptBudget, backoffDelay, DEFAULT_RETRY_POLICY } from '../../../src/sls/retry.ts';

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelay (full jitter)', () => {
  it('draws from [0, base * 2^(n-1)) and caps at maxDelay', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.999)).toBe(199);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(4, policy, () => 0)).toBe(0);
  });

  it('never exceeds the cap for any draw', () => {
    for (let retry = 1; retry < 40; retry++) {
      for (const r of [0, 0.25, 0.5, 0.9999999]) {
        const d = backoffDelay(retry, policy, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(policy.maxDelayMs);
      }
    }
  });
});

describe('attemptBudget', () => {
  it('caps the attempt at the per-attempt timeout', () => {
    expect(attemptBudget(0, 60_000, policy)).toBe(policy.attemptTimeoutMs);
  });
  it('shortens the attempt to the time left', () => {
    expect(attemptBudget(0, 1_000, policy)).toBe(1_000);
  });
  it('refuses to start an attempt with too little time left', () => {
    expect(attemptBudget(0, policy.minAttemptMs - 1, policy)).toBeUndefined();
    expect(attemptBudget(10, 5, policy)).toBeUndefined();
  });
});
