/**
 * Seeks become cursor commands before anything is collapsed or written: a `"*"` seek stands for
 * every shard of its logstore (ListShards, read-only shards included) and each `from` is resolved
 * with GetCursor. From then on a seek is one more record of each of its shards, collapsed,
 * written, read back and reported by the same rules as any other (see `applyCheckpoints`).
 */
import { forEachConcurrently, once } from '../concurrency.ts';
import type { SlsClient } from '../sls/client.ts';
import type { LogstoreTarget } from '../sls/types.ts';
import { ALL_SHARDS, type CheckpointCommand, type Command, isSeek, type SeekCommand } from './command.ts';
import { failedOutcome, type RecordOutcome } from './shard.ts';

export type SeekClient = Pick<SlsClient, 'getCursor' | 'listShards'>;

/**
 * The ListShards and GetCursor answers of one invocation (or their failures), shared by its FIFO
 * waves: each logstore's shards are listed once, each (shard, position) resolved once.
 */
export interface Lookups {
  readonly shards: Map<string, Promise<number[]>>;
  readonly cursors: Map<string, Promise<string>>;
}

export const newLookups = (): Lookups => ({ shards: new Map(), cursors: new Map() });

export interface SeekDeps {
  readonly client: SeekClient;
  readonly endpoint: string;
  /** Epoch ms no request (or retry) may run past. */
  readonly deadline: number;
  /** Requests at once. */
  readonly concurrency: number;
  readonly lookups: Lookups;
  /** Counts each ListShards and GetCursor actually sent. */
  readonly onLookup: () => void;
}

/** One shard's share of an input: a cursor command, in the input's place in event order. */
export interface Part<Id> {
  readonly origin: Id;
  readonly command: CheckpointCommand;
  readonly position: number;
  readonly group?: string | undefined;
}

export type FailedOutcome = Extract<RecordOutcome<never>, { status: 'failed' }>;

export interface Resolution<Id> {
  readonly parts: readonly Part<Id>[];
  /** Inputs whose shards or cursors could not be read: none of their shards is written. */
  readonly failed: ReadonlyMap<Id, FailedOutcome>;
}

type Input<Id> = { readonly id: Id; readonly command: Command; readonly group?: string | undefined };

const logstoreKey = (c: Command, endpoint: string) => JSON.stringify([endpoint, c.project, c.logstore]);
const cursorKey = (c: SeekCommand, shard: number, endpoint: string) =>
  JSON.stringify([endpoint, c.project, c.logstore, shard, c.from]);

/**
 * Turns every input into its parts. A cursor command is its own single part; a seek becomes one
 * part per shard it names, or none when any of its reads failed (so a seek never lands on some
 * shards because the others could not even be located).
 */
export async function resolveSeeks<Id>(
  inputs: readonly Input<Id>[],
  deps: SeekDeps,
): Promise<Resolution<Id>> {
  const options = { deadline: deps.deadline };
  const targetOf = (c: Command): LogstoreTarget => ({
    endpoint: deps.endpoint,
    project: c.project,
    logstore: c.logstore,
  });
  const seeks = inputs.flatMap((input) => (isSeek(input.command) ? [input.command] : []));
  const shardsOf = (c: SeekCommand): Promise<number[]> =>
    c.shard !== ALL_SHARDS
      ? Promise.resolve([c.shard])
      : once(deps.lookups.shards, logstoreKey(c, deps.endpoint), () => {
          deps.onLookup();
          return deps.client.listShards(targetOf(c), options).then((list) => list.map((s) => s.shard));
        });
  const cursorOf = (c: SeekCommand, shard: number): Promise<string> =>
    once(deps.lookups.cursors, cursorKey(c, shard, deps.endpoint), () => {
      deps.onLookup();
      return deps.client.getCursor(targetOf(c), shard, c.from, options);
    });

  // Every logstore listed first, then every cursor, each step `concurrency` requests at a time.
  await forEachConcurrently(seeks, deps.concurrency, (c) => settled(shardsOf(c)));
  const pairs: { c: SeekCommand; shard: number }[] = [];
  for (const c of seeks) {
    for (const shard of await shardsOf(c).catch(() => [])) pairs.push({ c, shard });
  }
  await forEachConcurrently(pairs, deps.concurrency, ({ c, shard }) => settled(cursorOf(c, shard)));

  const parts: Part<Id>[] = [];
  const failed = new Map<Id, FailedOutcome>();
  for (const [position, { id, command, group }] of inputs.entries()) {
    if (!isSeek(command)) {
      parts.push({ origin: id, command, position, group });
      continue;
    }
    try {
      const shards = await shardsOf(command);
      const cursors = await Promise.all(shards.map((shard) => cursorOf(command, shard)));
      shards.forEach((shard, i) => {
        const checkpoint = cursors[i] as string;
        parts.push({ origin: id, command: { ...command, shard, checkpoint }, position, group });
      });
    } catch (error) {
      failed.set(id, failedOutcome(error));
    }
  }
  return { parts, failed };
}

/** Waits for `promise` without throwing: concurrency only bounds the requests. */
async function settled<T>(promise: Promise<T>): Promise<void> {
  await promise.then(
    () => undefined,
    () => undefined,
  );
}

/**
 * One outcome per input from its parts' outcomes: landed only when every part landed. The first
 * failure (by shard) is the input's, naming its shard; else the first block; else `skipped` when
 * every part was skipped; else `applied`.
 */
export function combineOutcomes<Id>(
  inputs: readonly Input<Id>[],
  resolution: Resolution<Id>,
  partOutcomes: ReadonlyMap<number, RecordOutcome<number>>,
): Map<Id, RecordOutcome<Id>> {
  const byOrigin = new Map<Id, { part: Part<Id>; outcome: RecordOutcome<number> | undefined }[]>();
  resolution.parts.forEach((part, index) => {
    const list = byOrigin.get(part.origin) ?? [];
    list.push({ part, outcome: partOutcomes.get(index) });
    byOrigin.set(part.origin, list);
  });
  const outcomes = new Map<Id, RecordOutcome<Id>>();
  for (const { id, command } of inputs) {
    const refused = resolution.failed.get(id);
    if (refused !== undefined) {
      outcomes.set(id, refused);
      continue;
    }
    const list = byOrigin.get(id) ?? [];
    const failure = list.find((p) => p.outcome === undefined || p.outcome.status === 'failed');
    if (failure !== undefined) {
      const outcome = failure.outcome ?? failedOutcome(new Error('the shard was not attempted'));
      const shard = command.shard === ALL_SHARDS ? failure.part.command.shard : undefined;
      outcomes.set(id, { ...(outcome as FailedOutcome), ...(shard === undefined ? {} : { shard }) });
      continue;
    }
    const blocked = list.find((p) => p.outcome?.status === 'blocked');
    if (blocked?.outcome?.status === 'blocked') {
      const after = resolution.parts[blocked.outcome.after]?.origin as Id;
      outcomes.set(id, { status: 'blocked', after });
      continue;
    }
    const skipped = list.every((p) => p.outcome?.status === 'skipped');
    const first = list[0]?.outcome;
    outcomes.set(
      id,
      skipped && first?.status === 'skipped'
        ? { status: 'skipped', current: first.current }
        : { status: 'applied' },
    );
  }
  return outcomes;
}
