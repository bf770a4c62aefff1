/**
 * How the emulator shares a group's shards among its live consumers (the rule SLS's consumer
 * libraries rely on: each gets its share, and a shard moves only once its holder lets go).
 */

/** A live consumer of a group. */
export interface Consumer {
  readonly name: string;
  lastHeartbeat: number;
  held: Set<number>;
  assigned: Set<number>;
}

/**
 * Balances shards over live consumers: each gets floor(S/n) or one more. A consumer over its
 * quota gives shards back, but a shard is handed to another consumer only once no other
 * consumer still reports holding it, so no shard is ever processed by two consumers at once.
 */
export function rebalance(g: { consumers: Map<string, Consumer> }, shardCount: number): void {
  const live = [...g.consumers.values()];
  if (live.length === 0) return;
  // Consumers that already have more keep the +1 quota, so fewer shards move.
  const ordered = [...live].sort((a, b) => b.assigned.size - a.assigned.size || (a.name < b.name ? -1 : 1));
  const base = Math.floor(shardCount / live.length);
  const extra = shardCount % live.length;
  const quota = new Map(ordered.map((c, i) => [c, base + (i < extra ? 1 : 0)]));

  for (const c of live) {
    for (const s of c.assigned) if (s >= shardCount) c.assigned.delete(s);
    const limit = quota.get(c) ?? 0;
    if (c.assigned.size > limit) {
      // Give back the shards it does not report holding first, then the highest ids.
      const keep = [...c.assigned].sort((a, b) => Number(c.held.has(b)) - Number(c.held.has(a)) || a - b);
      c.assigned = new Set(keep.slice(0, limit));
    }
  }

  const owned = new Set<number>();
  for (const c of live) for (const s of c.assigned) owned.add(s);
  for (let shard = 0; shard < shardCount; shard++) {
    if (owned.has(shard)) continue;
    const holders = live.filter((c) => c.held.has(shard));
    const hungry = (c: Consumer): boolean => c.assigned.size < (quota.get(c) ?? 0);
    let taker: Consumer | undefined;
    if (holders.length > 0) {
      // Still being processed: only a holder may get it back, nobody else.
      taker = holders.find(hungry);
    } else {
      taker = live
        .filter(hungry)
        .sort((a, b) => a.assigned.size - b.assigned.size || (a.name < b.name ? -1 : 1))[0];
    }
    if (taker !== undefined) {
      taker.assigned.add(shard);
      owned.add(shard);
    }
  }
}
