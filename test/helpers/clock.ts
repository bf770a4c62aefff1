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

/**
 * Simulated time for concurrent work: `sleep` waits for the clock to reach its end, and `run`
 * moves the clock from one wake-up to the next whenever everything is waiting. Two calls that
 * each sleep 250 ms at once both end 250 ms later, as on a real clock, where a `ManualClock`
 * would add up to 500 ms.
 */
export interface SimulatedClock extends ManualClock {
  /** Drives the clock until `work` settles; throws if it waits with no wake-up due. */
  run<T>(work: Promise<T>): Promise<T>;
}

export function createSimulatedClock(start = Date.UTC(2026, 10, 23, 8, 0, 0)): SimulatedClock {
  let current = start;
  let sequence = 0;
  const wakeUps: { at: number; seq: number; wake: () => void }[] = [];
  const clock: SimulatedClock = {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (epochMs) => {
      current = epochMs;
    },
    sleep: (ms) =>
      new Promise<void>((wake) => {
        wakeUps.push({ at: current + Math.max(0, ms), seq: sequence++, wake });
      }),
    run: async (work) => {
      let settled = false;
      const done = work.finally(() => {
        settled = true;
      });
      done.catch(() => {});
      for (;;) {
        // A macrotask turn: every promise chain that can go on has reached its next sleep.
        await new Promise((resolve) => setImmediate(resolve));
        if (settled) return work;
        wakeUps.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = wakeUps.shift();
        if (next === undefined) throw new Error('simulated clock: the work waits, but no wake-up is due');
        current = Math.max(current, next.at);
        next.wake();
      }
    },
  };
  return clock;
}
