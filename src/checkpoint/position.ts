/**
 * The `from` of a seek: `begin`, `end`, unix seconds, or an ISO-8601 time with a zone, turned
 * into what GetCursor takes (`begin`, `end` or whole unix seconds). Pure; never echoes its input.
 */
import type { SeekPosition } from '../sls/types.ts';

/** The largest unix time taken in seconds (year 2286); anything larger is most likely milliseconds. */
export const MAX_UNIX_SECONDS = 9_999_999_999;

export const FROM_RULE =
  'must be "begin", "end", unix seconds, or an ISO-8601 time with a zone (2026-11-23T10:00:00Z)';

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export type PositionResult =
  | { readonly ok: true; readonly from: SeekPosition }
  | { readonly ok: false; readonly problem: string };

const bad = (problem: string): PositionResult => ({ ok: false, problem });

function fromSeconds(seconds: number): PositionResult {
  if (!Number.isInteger(seconds) || seconds < 0) return bad('must be whole unix seconds >= 0');
  if (seconds > MAX_UNIX_SECONDS) return bad('must be unix seconds, not milliseconds');
  return { ok: true, from: seconds };
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Unix seconds of an ISO-8601 date-time with a zone, or undefined. Every field is range-checked
 * (JavaScript's own parser turns February 30 into March 2). A fraction of a second is dropped:
 * SLS positions by whole seconds, and rounding down replays a little more, never less.
 */
function isoSeconds(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (m === null) return undefined;
  const field = (i: number): number => Number(m[i] ?? 0);
  const [year, month, day] = [field(1), field(2), field(3)];
  const [hour, minute, second] = [field(4), field(5), field(6)];
  const zone = m[7] as string;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetMinutes * 60;
}

/** Reads a command's or the CLI's `from`. */
export function parsePosition(value: unknown): PositionResult {
  if (value === 'begin' || value === 'end') return { ok: true, from: value };
  if (typeof value === 'number') return fromSeconds(value);
  if (typeof value !== 'string') return bad(FROM_RULE);
  const seconds = isoSeconds(value);
  if (seconds === undefined) return bad(FROM_RULE);
  return seconds < 0 ? bad('must not be before 1970') : fromSeconds(seconds);
}

/** How a position reads in messages and tables: `begin`, `end` or an ISO time in UTC. */
export function describePosition(from: SeekPosition): string {
  return typeof from === 'number' ? new Date(from * 1000).toISOString().replace('.000Z', 'Z') : from;
}
