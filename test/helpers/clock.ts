/** A clock that only moves when a test moves it; `sleep` advances it instead of waiting. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
  set(epochMs: number): void;
  /** Resolves on the next microtask after moving the clock forward by `ms`. */
  sleep(ms: number): Promise<void>;
}

export function createManualClock(start = Date.UTC(2026, 10, 23, 8, 0, 0)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (epochMs) => {
      current = epochMs;
    },
    sleep: async (ms) => {
      current += Math.max(0, ms);
    },
  };
}
