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
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The cursor of the log group at `index` (the log's length: the end). */
export const cursorAt = (index: number): string =>
  Buffer.from(String(CURSOR_BASE + BigInt(index))).toString('base64');

function indexOf(cursor: string): bigint | undefined {
  if (cursor === '' || !BASE64.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('latin1');
  return /^\d{1,30}$/.test(text) ? BigInt(text) - CURSOR_BASE : undefined;
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
