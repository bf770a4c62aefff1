/**
 * The checkpoint use case: every record for one shard collapses to one value (see
 * `settleShard`), shards are written concurrently with a bound, and every record gets an
 * outcome. Never throws: whatever goes wrong with one shard becomes its records' outcome.
 */
import { forEachConcurrently, once } from '../concurrency.ts';
import { type Logger, silentLogger } from '../log.ts';
import type { SlsClient } from '../sls/client.ts';
import type { Target } from '../sls/types.ts';
import type { CheckpointCommand, Command } from './command.ts';
import { groupKey, shardKey } from './cursor.ts';
import { combineOutcomes, type Lookups, newLookups, resolveSeeks, type SeekClient } from './seek.ts';
import { type Decision, failedOutcome, type RecordOutcome, type ShardRecord, settleShard } from './shard.ts';

export type { RecordOutcome } from './shard.ts';

/** A validated command, the id of the record it came from, and its FIFO message group if any. */
export interface ApplyInput<Id> {
  readonly id: Id;
  readonly command: Command;
  readonly group?: string | undefined;
}

export interface ApplyReport<Id> {
  /** One outcome per input id. */
  readonly outcomes: Map<Id, RecordOutcome<Id>>;
  /** Values decided (written, skipped or refused): one per shard unless a writer was refused. */
  readonly values: number;
  /** Requests made: UpdateCheckPoint calls, and GetCheckPoint read-backs after ambiguous ones. */
  readonly requests: RequestCounts;
}

/**
 * UpdateCheckPoint calls (a call's own retries not counted), read-backs after ambiguity, and the
 * ListShards and GetCursor calls that resolved seeks.
 */
export interface RequestCounts {
  writes: number;
  readBacks: number;
  lookups: number;
}

/**
 * The checkpoints of each consumer group as read (or since written) during one invocation, keyed
 * by `groupKey`. Pass the same map to several `applyCheckpoints` calls of one invocation so each
 * group is read once.
 */
export type KnownCheckpoints = Map<string, Promise<Map<number, string>>>;

export interface ApplyDeps {
  readonly client: Pick<SlsClient, 'updateCheckpoint' | 'getCheckpoints'> & SeekClient;
  readonly endpoint: string;
  /** Epoch ms no request (or retry) may run past. */
  readonly deadline: number;
  /** Shards written at once, at least 1. */
  readonly concurrency: number;
  /** Read the group's checkpoints first and skip updates that would move a shard backwards. */
  readonly monotonic: boolean;
  readonly logger?: Logger | undefined;
  readonly known?: KnownCheckpoints | undefined;
  /** Seek resolutions already made in this invocation (see `resolveSeeks`). */
  readonly lookups?: Lookups | undefined;
}

/**
 * Applies `inputs` (in event order) and returns every record's outcome.
 *
 * Seeks are resolved to cursors first (`resolveSeeks`); then each shard gets one value, whatever
 * consumers its records name, written by one call at a time and read back when an attempt was
 * ambiguous (see `settleShard`); different shards go concurrently, `concurrency` at a time. A
 * record lands when every shard it names landed. The happy path of cursor commands sends exactly
 * one request per shard.
 */
export async function applyCheckpoints<Id>(
  inputs: readonly ApplyInput<Id>[],
  deps: ApplyDeps,
): Promise<ApplyReport<Id>> {
  const logger = deps.logger ?? silentLogger;
  const known = deps.known ?? new Map();
  const requests: RequestCounts = { writes: 0, readBacks: 0, lookups: 0 };
  const resolution = await resolveSeeks(inputs, {
    ...deps,
    lookups: deps.lookups ?? newLookups(),
    onLookup: () => requests.lookups++,
  });
  // A seek that could not be resolved is a value refused before sending: decided, not written.
  let values = resolution.failed.size;
  for (const { id, command } of inputs) {
    const refused = resolution.failed.get(id);
    if (refused !== undefined) logDecision(logger, { command, records: 1, outcome: refused });
  }

  const shards = new Map<string, ShardRecord<number>[]>();
  resolution.parts.forEach(({ command, position, group }, id) => {
    const key = shardKey(command, deps.endpoint);
    const records = shards.get(key) ?? [];
    records.push({ id, command, position, group });
    shards.set(key, records);
  });

  const partOutcomes = new Map<number, RecordOutcome<number>>();
  await forEachConcurrently([...shards.values()], deps.concurrency, async (records) => {
    const { command } = records[0] as ShardRecord<number>;
    const target = targetOf(command, deps.endpoint);
    try {
      const io = shardIO(target, command.shard, known, deps, logger, requests);
      const report = await settleShard(records, io, deps.monotonic);
      for (const [id, outcome] of report.outcomes) partOutcomes.set(id, outcome);
      values += report.decisions.length;
      for (const decision of report.decisions) logDecision(logger, decision);
    } catch (error) {
      // settleShard does not throw; should it ever, the shard's records did not land.
      const outcome = failedOutcome(error);
      for (const r of records) partOutcomes.set(r.id, outcome);
      logDecision(logger, { command, records: records.length, outcome });
    }
  });
  return { outcomes: combineOutcomes(inputs, resolution, partOutcomes), values, requests };
}

/** The shard's calls, bounded by the invocation's deadline. */
function shardIO(
  target: Target,
  shard: number,
  known: KnownCheckpoints,
  deps: ApplyDeps,
  logger: Logger,
  requests: RequestCounts,
) {
  const options = { deadline: deps.deadline };
  const group = () => readOnce(known, target, deps);
  return {
    write: (command: CheckpointCommand) => {
      requests.writes++;
      return deps.client.updateCheckpoint(
        target,
        {
          shard: command.shard,
          checkpoint: command.checkpoint,
          consumer: command.consumer,
          forceSuccess: command.forceSuccess,
        },
        options,
      );
    },
    read: async () => {
      requests.readBacks++;
      const all = await deps.client.getCheckpoints(target, options);
      const found = all.find((c) => c.shard === shard)?.checkpoint;
      // A shard that never had a checkpoint reports ''.
      return found === '' ? undefined : found;
    },
    known: async () => {
      const current = (await group()).get(shard);
      return current === '' ? undefined : current;
    },
    remember: (checkpoint: string) => {
      // Only a map already read is updated: the first read must still happen for the others.
      known
        .get(groupKey(target, target.endpoint))
        ?.then((map) => map.set(shard, checkpoint))
        .catch(() => {});
    },
    incomparable: (command: CheckpointCommand, current: string) => {
      logger.warn('checkpoint.cursor_not_comparable', {
        ...describeCommand(command),
        checkpoint: command.checkpoint,
        current,
      });
    },
  } satisfies Parameters<typeof settleShard<number>>[1];
}

function targetOf(command: Command, endpoint: string): Target {
  return {
    endpoint,
    project: command.project,
    logstore: command.logstore,
    consumerGroup: command.consumerGroup,
  };
}

/** Reads a group's checkpoints once per `known`; later callers share the read (or its failure). */
function readOnce(known: KnownCheckpoints, target: Target, deps: ApplyDeps): Promise<Map<number, string>> {
  return once(known, groupKey(target, target.endpoint), () =>
    deps.client
      .getCheckpoints(target, { deadline: deps.deadline })
      .then((list) => new Map(list.map((c) => [c.shard, c.checkpoint]))),
  );
}

/** The fields that identify a command in logs and errors. */
export function describeCommand(command: Command): Record<string, unknown> {
  return {
    project: command.project,
    logstore: command.logstore,
    consumerGroup: command.consumerGroup,
    shard: command.shard,
    consumer: command.consumer,
    ...(command.from === undefined ? {} : { from: command.from }),
  };
}

function logDecision<Id>(
  logger: Logger,
  decision: Omit<Decision<Id>, 'command'> & { readonly command: Command },
): void {
  const { outcome } = decision;
  if (outcome.status === 'applied' || outcome.status === 'blocked') return;
  const fields = {
    ...describeCommand(decision.command),
    checkpoint: decision.command.checkpoint,
    records: decision.records,
  };
  if (outcome.status === 'skipped') {
    logger.info('checkpoint.skipped', {
      ...fields,
      current: outcome.current,
      reason: 'would move the shard backwards',
    });
  } else {
    logger.warn('checkpoint.failed', {
      ...fields,
      code: outcome.code,
      retryable: outcome.retryable,
      message: outcome.message,
    });
  }
}
