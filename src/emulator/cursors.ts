/**
 * A shard's log as the cursor APIs see it: log groups in the order received, each addressed by a
 * cursor. Only what GetCursor and GetCursorTime need (no log contents), from the API reference:
 * GetCursor `from` is `begin`, `end` or a unix time in seconds; GetCursorTime answers
 * `InvalidCursor` outside [begin, end] and the current time for a shard without data.
 */

/**
 * Cursors are base64 of a decimal position, as SLS's are; the emulator's positions count log
 * groups from this base (real ones are opaque numbers of the same size).
 */
const CURSOR_BASE = 1_500_000_000_000_000_000n;
/** Standard base64, padded: what a cursor is on the wire. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A shard's memory bound: a write rate stops producing log groups here. */
export const MAX_LOG_GROUPS_PER_SHARD = 1_000_000;

/** The cursor of the log group at `index` (the log's length: the end). */
export const cursorAt = (index: number): string =>
  Buffer.from(String(CURSOR_BASE + BigInt(index))).toString('base64');

function indexOf(cursor: string): bigint | undefined {
  if (cursor === '' || !BASE64.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('latin1');
  return /^\d{1,30}$/.test(text) ? BigInt(text) - CURSOR_BASE : undefined;
}

/**
 * One shard's log groups by receive time (epoch ms, ascending). With a write rate, a log group
 * arrives every `1000 / rate` ms from `since` on, made when a request (or a test) looks at the
 * shard; tests may also append their own, in time order.
 */
export class ShardLog {
  readonly #received: number[] = [];
  readonly #intervalMs: number | undefined;
  #nextAt: number;

  constructor(since: number, logGroupsPerSecond = 0) {
    if (!Number.isFinite(logGroupsPerSecond) || logGroupsPerSecond < 0) {
      throw new Error('the write rate must be a number of log groups per second >= 0');
    }
    this.#intervalMs = logGroupsPerSecond > 0 ? 1000 / logGroupsPerSecond : undefined;
    this.#nextAt = since;
  }

  /** The log as of `now`: the write rate's log groups up to then included. */
  at(now: number): readonly number[] {
    const interval = this.#intervalMs;
    if (interval !== undefined) {
      while (this.#nextAt <= now && this.#received.length < MAX_LOG_GROUPS_PER_SHARD) {
        this.#received.push(Math.floor(this.#nextAt));
        this.#nextAt += interval;
      }
    }
    return this.#received;
  }

  /** Appends log groups received at `receivedAt` (ascending, none before the last); their indexes. */
  append(receivedAt: readonly number[]): number[] {
    return receivedAt.map((at) => {
      const log = this.at(at);
      const last = log[log.length - 1];
      if (last !== undefined && at < last) {
        throw new Error(`log groups are appended in time order: ${at} is before ${last}`);
      }
      this.#received.push(at);
      return this.#received.length - 1;
    });
  }
}

/**
 * GetCursor over `received` (epoch ms, ascending): `begin` (the oldest log group kept; nothing
 * expires here), `end` (where the next one will be written) or a unix time in seconds (the first
 * log group received at or after it, else the end). Undefined for any other `from`.
 */
export function cursorOf(received: readonly number[], from: string): string | undefined {
  if (from === 'begin') return cursorAt(0);
  if (from === 'end') return cursorAt(received.length);
  if (!/^\d{1,12}$/.test(from)) return undefined;
  const index = received.findIndex((at) => at >= Number(from) * 1000);
  return cursorAt(index === -1 ? received.length : index);
}

/**
 * GetCursorTime: when the log group at `cursor` was received, in unix seconds; undefined outside
 * [begin, end] (InvalidCursor). At the end (no log group there yet) the API reference says
 * nothing; the emulator answers the current time, as documented for a shard without data.
 */
export function cursorTimeOf(received: readonly number[], cursor: string, now: number): number | undefined {
  const index = indexOf(cursor);
  if (index === undefined || index < 0n || index > BigInt(received.length)) {
    return undefined;
  }
  return Math.floor((received[Number(index)] ?? now) / 1000);
}

const HASH_SPACE = 1n << 128n;
const hex32 = (value: bigint): string => value.toString(16).padStart(32, '0');

/**
 * A shard's MD5 hash range as ListShards shows it: the space split evenly, the last range ending
 * at `ffff…` (as in the API page's sample).
 */
export function hashRange(shard: number, shardCount: number): { begin: string; end: string } {
  const at = (i: number) => (HASH_SPACE * BigInt(i)) / BigInt(shardCount);
  return {
    begin: hex32(at(shard)),
    end: shard + 1 === shardCount ? 'f'.repeat(32) : hex32(at(shard + 1)),
  };
}
