/**
 * Distance for the emulator. Loopback answers in a fraction of a millisecond; a real SLS endpoint
 * on another continent is 150 to 300 ms away, and a new connection first pays its TCP and TLS
 * handshakes. With a latency set, every request waits half a round trip before it is applied and
 * half before its reply leaves (each half with its own jitter), and the first request on a new
 * connection also waits that connection's setup. So a client sees what it would see at that
 * distance: a request is applied half-way through its round trip, a kept-alive connection is
 * cheaper than a new one, and N requests at once take one round trip, not N.
 */

/** How far away the emulator pretends to be. */
export interface Latency {
  /** Round-trip time added to every request, ms. */
  readonly rttMs: number;
  /** Each half of the round trip varies uniformly within ± this, ms (default 0). */
  readonly jitterMs?: number | undefined;
  /**
   * Added once per connection, before its first request is applied, ms (default 0): a stand-in
   * for the TCP and TLS handshakes (about 2 round trips with TLS 1.3, 3 with TLS 1.2).
   */
  readonly setupMs?: number | undefined;
}

/** Why `latency` is unusable, naming the field, or undefined when it is fine. */
export function latencyProblem(latency: Latency): string | undefined {
  const fields: [string, number | undefined][] = [
    ['rttMs', latency.rttMs],
    ['jitterMs', latency.jitterMs],
    ['setupMs', latency.setupMs],
  ];
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) return `${name} must be a finite number >= 0, got ${value}`;
    if (value > 600_000) return `${name} must be at most 600000 ms, got ${value}`;
  }
  const jitter = latency.jitterMs ?? 0;
  if (jitter > latency.rttMs / 2) {
    return `jitterMs (${jitter}) must be at most half of rttMs (${latency.rttMs}): a half round trip cannot be negative`;
  }
  return undefined;
}

/** The delays of one emulator: what each request waits, and which connections are new. */
export interface LatencyPlan {
  /** Replaces the latency (undefined: none). Connections already seen stay set up. */
  set(latency: Latency | undefined): void;
  /** Ms to wait before applying a request that arrived on `connection`; marks it as set up. */
  inboundMs(connection: object): number;
  /** Ms to wait before sending a reply. */
  outboundMs(): number;
}

/**
 * A latency plan. `random` returns [0, 1) and decides the jitter; pass a fixed one for tests.
 * Throws a `RangeError` naming the field when the latency is unusable.
 */
export function createLatencyPlan(
  initial: Latency | undefined,
  random: () => number = Math.random,
): LatencyPlan {
  let current: Latency | undefined;
  const seen = new WeakSet<object>();
  const half = (): number => {
    if (current === undefined) return 0;
    const jitter = current.jitterMs ?? 0;
    return Math.max(0, current.rttMs / 2 + (random() * 2 - 1) * jitter);
  };
  const plan: LatencyPlan = {
    set: (latency) => {
      const problem = latency === undefined ? undefined : latencyProblem(latency);
      if (problem !== undefined) throw new RangeError(`latency: ${problem}`);
      current = latency;
    },
    inboundMs: (connection) => {
      const fresh = !seen.has(connection);
      seen.add(connection);
      return half() + (fresh ? (current?.setupMs ?? 0) : 0);
    },
    outboundMs: half,
  };
  plan.set(initial);
  return plan;
}

/** Waits `ms` real milliseconds; resolves at once for 0. */
export function pause(ms: number): Promise<void> | undefined {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined;
}
