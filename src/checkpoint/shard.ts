/**
 * One shard's share of an invocation: every record for the shard collapses to one value, written
 * by one call at a time, and confirmed by a read-back whenever an attempt was ambiguous. This is
 * where "reported landed means stored" is decided.
 */
import { errorCode } from '../failure.ts';
import type { CheckpointCommand } from './command.ts';
import { compareCursors } from './cursor.ts';

/** A record for this shard. */
export interface ShardRecord<Id> {
  readonly id: Id;
  readonly command: CheckpointCommand;
  /** Event order within the invocation; a higher position is newer. */
  readonly position: number;
  /**
   * FIFO message group. A record never lands through a write made after an earlier record of
   * its group failed. Undefined: the record is ordered against nothing.
   */
  readonly group?: string | undefined;
}

export type RecordOutcome<Id> =
  | { readonly status: 'applied' }
  /** Monotonic mode: the shard is already at `current`, which is ahead of the record. */
  | { readonly status: 'skipped'; readonly current: string }
  | {
      readonly status: 'failed';
      readonly code: string;
      readonly retryable: boolean;
      readonly message: string;
      /** For a seek of every shard: the shard that failed. */
      readonly shard?: number | undefined;
    }
  /** Not written, because the earlier record `after` of its message group failed. */
  | { readonly status: 'blocked'; readonly after: Id };

/** One value decided for the shard (written, skipped or refused) and how many records it settled. */
export interface Decision<Id> {
  readonly command: CheckpointCommand;
  readonly records: number;
  readonly outcome: RecordOutcome<Id>;
}

export interface ShardReport<Id> {
  /** Every record's outcome. */
  readonly outcomes: Map<Id, RecordOutcome<Id>>;
  /** In the order they were made; blocked records belong to none. */
  readonly decisions: readonly Decision<Id>[];
}

/** What a shard writer may do; each call is bounded by the invocation's deadline. */
export interface ShardIO {
  /** UpdateCheckPoint; resolves only once every attempt it made has been answered. */
  write(command: CheckpointCommand): Promise<void>;
  /** GetCheckPoint for this shard: its cursor now, undefined when it has none. */
  read(): Promise<string | undefined>;
  /** Monotonic mode: the shard's cursor as known in this invocation (read once per group). */
  known(): Promise<string | undefined>;
  /** Monotonic mode: record what the shard now holds. */
  remember(checkpoint: string): void;
  /** Monotonic mode: `command` cannot be ordered against `current` (not integer cursors), so it is written. */
  incomparable(command: CheckpointCommand, current: string): void;
}

/** SLS refusals that concern the consumer a write names, not the shard: other writers may still land. */
const CONSUMER_REFUSALS: ReadonlySet<string> = new Set(['ConsumerNotMatch', 'ConsumerNotExist']);
/** Writes of one value, first included, before a shard that reads back wrong is given up. */
const MAX_WRITES = 3;
const MAX_MESSAGE_CHARS = 500;

/**
 * Decides the fate of every record of one shard.
 *
 * The value written is the newest record's (the furthest cursor in monotonic mode; a seek
 * supersedes the records before it, see `choose`), with that record's consumer and
 * forceSuccess; on success every record lands with it. When SLS refuses it
 * for its consumer (`ConsumerNotMatch`, `ConsumerNotExist`), the records of that writer (same
 * consumer and forceSuccess) fail and the newest of the rest is tried, so one writer that lost
 * the shard does not take the others down; in FIFO order, records after a failed one in their
 * message group are blocked first. Any other failure fails every record left.
 */
export async function settleShard<Id>(
  records: readonly ShardRecord<Id>[],
  io: ShardIO,
  monotonic: boolean,
): Promise<ShardReport<Id>> {
  const outcomes = new Map<Id, RecordOutcome<Id>>();
  const decisions: Decision<Id>[] = [];
  let left = [...records].sort((a, b) => a.position - b.position);
  const settleAll = (command: CheckpointCommand, outcome: RecordOutcome<Id>) => {
    for (const r of left) outcomes.set(r.id, outcome);
    decisions.push({ command, records: left.length, outcome });
    left = [];
  };

  while (left.length > 0) {
    const { chosen, deliberate } = choose(left, monotonic);
    let outcome: RecordOutcome<Id>;
    let refusedCode: string | undefined;
    try {
      outcome = await decide(chosen.command, io, monotonic && !deliberate);
    } catch (error) {
      outcome = failedOutcome(error);
      refusedCode = errorCode(error);
    }
    if (refusedCode === undefined || !CONSUMER_REFUSALS.has(refusedCode)) {
      settleAll(chosen.command, outcome);
      break;
    }
    const refused = left.filter((r) => sameWriter(r.command, chosen.command));
    for (const r of refused) outcomes.set(r.id, outcome);
    decisions.push({ command: chosen.command, records: refused.length, outcome });
    left = left.filter((r) => !refused.includes(r));
    left = blockAfterFailures(left, refused, outcomes);
  }
  return { outcomes, decisions };
}

/** Writes `command` unless monotonic mode skips it; confirms it by reading back after ambiguity. */
async function decide<Id>(
  command: CheckpointCommand,
  io: ShardIO,
  monotonic: boolean,
): Promise<RecordOutcome<Id>> {
  if (monotonic) {
    const current = await io.known();
    if (current !== undefined) {
      const order = compareCursors(command.checkpoint, current);
      if (order === -1) return { status: 'skipped', current };
      // SLS itself only asks for base64, so a cursor that does not decode is sent, and flagged.
      if (order === undefined) io.incomparable(command, current);
    }
  }
  let uncertainty: unknown;
  for (let writes = 1; ; writes++) {
    try {
      await io.write(command);
      if (uncertainty === undefined) {
        io.remember(command.checkpoint);
        return { status: 'applied' };
      }
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      uncertainty = error;
    }
    // An attempt may have landed without saying so, or an earlier one after a later one did:
    // only the shard itself can tell.
    const stored = await io.read().catch(() => {
      // Unconfirmed: the write's own failure is the one to report.
      throw uncertainty;
    });
    if (stored !== undefined) io.remember(stored);
    if (stored === command.checkpoint) return { status: 'applied' };
    if (monotonic && stored !== undefined && compareCursors(stored, command.checkpoint) === 1) {
      return { status: 'skipped', current: stored };
    }
    if (writes >= MAX_WRITES) throw uncertainty;
  }
}

function isAmbiguous(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { ambiguous?: unknown }).ambiguous === true;
}

/**
 * The record whose value is written: the newest, or in monotonic mode the furthest cursor. A
 * seek (`from`) is a deliberate move: it supersedes every record before it, and the value chosen
 * from it on is written without the monotonic check against the shard (`deliberate`), so a seek
 * to `begin` does move the shard back; records after the seek are still ordered against it.
 */
function choose<Id>(
  records: readonly ShardRecord<Id>[],
  monotonic: boolean,
): { chosen: ShardRecord<Id>; deliberate: boolean } {
  const lastSeek = records.findLastIndex((r) => r.command.from !== undefined);
  const candidates = lastSeek === -1 ? records : records.slice(lastSeek);
  let chosen = candidates[0] as ShardRecord<Id>;
  for (const r of candidates) {
    // A cursor that does not decode is never treated as behind.
    if (monotonic && compareCursors(r.command.checkpoint, chosen.command.checkpoint) === -1) continue;
    chosen = r;
  }
  return { chosen, deliberate: lastSeek !== -1 };
}

const sameWriter = (a: CheckpointCommand, b: CheckpointCommand): boolean =>
  a.consumer === b.consumer && a.forceSuccess === b.forceSuccess;

/** Drops (as blocked) every record that follows a failed record of its FIFO message group. */
function blockAfterFailures<Id>(
  left: ShardRecord<Id>[],
  failed: readonly ShardRecord<Id>[],
  outcomes: Map<Id, RecordOutcome<Id>>,
): ShardRecord<Id>[] {
  const firstFailure = new Map<string, ShardRecord<Id>>();
  for (const r of failed) {
    if (r.group === undefined) continue;
    const seen = firstFailure.get(r.group);
    if (seen === undefined || r.position < seen.position) firstFailure.set(r.group, r);
  }
  return left.filter((r) => {
    const failure = r.group === undefined ? undefined : firstFailure.get(r.group);
    if (failure === undefined || r.position < failure.position) return true;
    outcomes.set(r.id, { status: 'blocked', after: failure.id });
    return false;
  });
}

/** A failure as an outcome: typed errors say whether they are retryable; unknown ones are. */
export function failedOutcome(error: unknown): Extract<RecordOutcome<never>, { status: 'failed' }> {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { retryable?: unknown };
  const message =
    error instanceof Error ? error.message : `non-Error thrown (${error === null ? 'null' : typeof error})`;
  return {
    status: 'failed',
    code: errorCode(error),
    retryable: typeof e.retryable === 'boolean' ? e.retryable : true,
    message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}...` : message,
  };
}
