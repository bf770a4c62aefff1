/**
 * How a batch's outcome is reported: the summary returned and logged, and the error thrown to
 * EventBridge and direct invocations naming each command that did not land.
 */

import { groupName } from '../sls/names.ts';
import type { RecordFate } from './batch.ts';
import { describePosition } from './position.ts';

/** Summary returned to EventBridge and direct invocations (and logged for every invocation). */
export interface CheckpointSummary {
  readonly source: 'sqs' | 'eventbridge' | 'direct';
  readonly records: number;
  readonly applied: number;
  readonly skipped: number;
  readonly invalid: number;
  readonly failed: number;
  readonly blocked: number;
  /** Requests decided (sent, or skipped by the monotonic rule) after coalescing. */
  readonly updates: number;
  /** Records that were merged into another record's request. */
  readonly coalesced: number;
}

/** One command that did not land, as listed by `CheckpointCommandsError`. */
export interface CommandFailure {
  readonly index: number;
  readonly description: string;
}

/** Thrown to EventBridge and direct invocations when any command did not land. */
export class CheckpointCommandsError extends Error {
  override name = 'CheckpointCommandsError';
  readonly code = 'CheckpointFailed';
  readonly failures: readonly CommandFailure[];
  readonly summary: CheckpointSummary;

  constructor(message: string, failures: readonly CommandFailure[], summary: CheckpointSummary) {
    super(message);
    this.failures = failures;
    this.summary = summary;
  }
}

export function summarize(
  source: CheckpointSummary['source'],
  fates: readonly RecordFate[],
  updates: number,
) {
  const count = (status: RecordFate['status']) => fates.filter((f) => f.status === status).length;
  const applied = count('applied');
  const skipped = count('skipped');
  const failed = count('failed');
  return {
    source,
    records: fates.length,
    applied,
    skipped,
    invalid: count('invalid'),
    failed,
    blocked: count('blocked'),
    updates,
    coalesced: Math.max(0, applied + skipped + failed - updates),
  } satisfies CheckpointSummary;
}

export function describeFate(fate: RecordFate): string {
  switch (fate.status) {
    case 'invalid':
      return `invalid: ${fate.error}`;
    case 'failed': {
      const c = fate.command;
      const consumer = c.consumer === undefined ? '' : ` (consumer ${c.consumer})`;
      const seek = c.from === undefined ? '' : ` (seek to ${describePosition(c.from)})`;
      const shard = fate.shard === undefined ? c.shard : `${fate.shard} of "${c.shard}"`;
      return `shard ${shard} of ${groupName(c)}${consumer}${seek}: ${fate.code}`;
    }
    case 'blocked':
      return `not sent after record ${fate.after} of its message group failed`;
    default:
      return fate.status;
  }
}
