/**
 * Runs a batch of records (SQS messages, direct-invoke commands) through `applyCheckpoints` and
 * decides each record's fate, keeping FIFO message-group order when asked to.
 */
import {
  type ApplyDeps,
  type ApplyInput,
  applyCheckpoints,
  type KnownCheckpoints,
  type RequestCounts,
} from './apply.ts';
import type { Command, ParseResult } from './command.ts';
import { shardKey } from './cursor.ts';
import { newLookups } from './seek.ts';
import { failedOutcome } from './shard.ts';

export interface BatchRecord {
  /** The parsed body; invalid records fail without being sent. */
  readonly parsed: ParseResult;
  /** FIFO message group; used only when the batch is `ordered`. */
  readonly group?: string | undefined;
}

export type RecordFate =
  | { readonly status: 'applied'; readonly command: Command }
  | { readonly status: 'skipped'; readonly command: Command; readonly current: string }
  | { readonly status: 'invalid'; readonly error: string }
  | {
      readonly status: 'failed';
      readonly command: Command;
      readonly code: string;
      readonly retryable: boolean;
      readonly message: string;
      /** For a seek of every shard: the shard that failed. */
      readonly shard?: number | undefined;
    }
  /** FIFO: not sent, because an earlier record of its message group (at `after`) did not land. */
  | { readonly status: 'blocked'; readonly command: Command; readonly after: number };

export interface BatchReport {
  /** One fate per input record, same order. */
  readonly fates: readonly RecordFate[];
  /** Values decided (written, skipped by the monotonic rule, or refused): one per shard and wave as a rule. */
  readonly updates: number;
  /** Rounds of requests: 1 for an unordered batch, up to the longest message group for FIFO. */
  readonly waves: number;
  /** Requests made, all waves together. */
  readonly requests: RequestCounts;
}

/** Whether a fate means the record's checkpoint is in place (or deliberately not needed). */
export function landed(fate: RecordFate): boolean {
  return fate.status === 'applied' || fate.status === 'skipped';
}

/**
 * Applies every valid record and returns each record's fate.
 *
 * Unordered (`ordered: false`): all valid records go at once; every record of a shard shares the
 * fate of the one value written to it (see `applyCheckpoints`).
 *
 * Ordered (FIFO): within a message group, a record may only land after every earlier record of
 * that group has landed, and once one fails (or is invalid) the rest of the group is `blocked`
 * and never sent, so a later record can never move a checkpoint past an earlier one that did not
 * land. The batch runs in waves: each wave takes, from every group still going, its next run of
 * consecutive records for the same shard; the runs of one wave are collapsed per shard (FIFO
 * promises no order across groups) and sent concurrently. A wave ends only when every write it
 * made has been answered, so a shard's next value never overtakes its previous one. The common
 * layout, one message group per shard, takes a single wave.
 */
export async function runCheckpointBatch(
  records: readonly BatchRecord[],
  options: { readonly ordered: boolean },
  deps: ApplyDeps,
): Promise<BatchReport> {
  const fates: (RecordFate | undefined)[] = records.map((r) =>
    r.parsed.ok ? undefined : { status: 'invalid', error: r.parsed.error },
  );
  // One read of each group's checkpoints for the whole batch, however many waves it takes.
  const applyDeps: ApplyDeps = {
    ...deps,
    known: deps.known ?? (new Map() as KnownCheckpoints),
    lookups: deps.lookups ?? newLookups(),
  };
  const commandAt = (index: number): Command => {
    const parsed = records[index]?.parsed;
    if (parsed?.ok !== true) throw new Error(`record ${index} has no command`);
    return parsed.command;
  };
  let updates = 0;
  let waves = 0;
  const requests: RequestCounts = { writes: 0, readBacks: 0, lookups: 0 };

  /** Sends one wave and returns the indices of records that did not land. */
  const send = async (indices: readonly number[]): Promise<Set<number>> => {
    const failed = new Set<number>();
    if (indices.length === 0) return failed;
    waves++;
    const inputs: ApplyInput<number>[] = indices.map((id) => ({
      id,
      command: commandAt(id),
      group: options.ordered ? (records[id]?.group ?? '') : undefined,
    }));
    const report = await applyCheckpoints(inputs, applyDeps);
    updates += report.values;
    requests.writes += report.requests.writes;
    requests.readBacks += report.requests.readBacks;
    requests.lookups += report.requests.lookups;
    for (const id of indices) {
      const command = commandAt(id);
      const outcome = report.outcomes.get(id) ?? failedOutcome(new Error('the record was not attempted'));
      const fate: RecordFate = { ...outcome, command };
      fates[id] = fate;
      if (!landed(fate)) failed.add(id);
    }
    return failed;
  };

  if (!options.ordered) {
    await send(records.flatMap((r, index) => (r.parsed.ok ? [index] : [])));
  } else {
    await runOrdered(records, fates, commandAt, send);
  }

  return {
    fates: fates.map(
      (fate) =>
        fate ?? {
          status: 'invalid',
          error: 'the record was not processed',
        },
    ),
    updates,
    waves,
    requests,
  };
}

async function runOrdered(
  records: readonly BatchRecord[],
  fates: (RecordFate | undefined)[],
  commandAt: (index: number) => Command,
  send: (indices: readonly number[]) => Promise<Set<number>>,
): Promise<void> {
  const pending = new Map<string, number[]>();
  records.forEach((record, index) => {
    const group = record.group ?? '';
    const queue = pending.get(group);
    if (queue === undefined) pending.set(group, [index]);
    else queue.push(index);
  });
  const block = (queue: readonly number[], after: number): void => {
    for (const index of queue) {
      const parsed = records[index]?.parsed;
      // An invalid record stays invalid: that is the more useful reason.
      if (parsed?.ok === true) fates[index] = { status: 'blocked', command: parsed.command, after };
    }
  };
  // An invalid record stops its group right there.
  for (const [group, queue] of pending) {
    const bad = queue.findIndex((index) => records[index]?.parsed.ok !== true);
    if (bad === -1) continue;
    const badIndex = queue[bad] as number;
    block(queue.slice(bad + 1), badIndex);
    pending.set(group, queue.slice(0, bad));
  }

  for (;;) {
    const runs = new Map<string, number[]>();
    for (const [group, queue] of pending) {
      const first = queue[0];
      if (first === undefined) continue;
      const key = shardKey(commandAt(first));
      let length = 1;
      while (length < queue.length && shardKey(commandAt(queue[length] as number)) === key) length++;
      runs.set(group, queue.splice(0, length));
    }
    if (runs.size === 0) return;
    // Event order across the wave, so the newest record of a shard is the one sent.
    const wave = [...runs.values()].flat().sort((a, b) => a - b);
    const failed = await send(wave);
    for (const [group, run] of runs) {
      const failure = run.find((index) => failed.has(index));
      if (failure === undefined) continue;
      block(pending.get(group) ?? [], failure);
      pending.set(group, []);
    }
  }
}
