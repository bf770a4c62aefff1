/**
 * The checkpoint use case: one `UpdateCheckPoint` per coalesced key, sent concurrently with a
 * bound, each outcome reported per key. Never throws: whatever goes wrong with one key becomes
 * that key's `failed` outcome.
 */
import { forEachConcurrently } from '../concurrency.ts';
import { errorCode } from '../failure.ts';
import { type Logger, silentLogger } from '../log.ts';
import type { SlsClient } from '../sls/client.ts';
import type { Target } from '../sls/types.ts';
import {
  type CoalescedUpdate,
  coalesce,
  compareCursors,
  groupKey,
  type IdentifiedCommand,
  shardKey,
} from './coalesce.ts';
import type { CheckpointCommand } from './command.ts';

export type CheckpointOutcome =
  | { readonly status: 'applied' }
  /** Monotonic mode: the shard is already at `current`, which is ahead of the command. */
  | { readonly status: 'skipped'; readonly current: string }
  | {
      readonly status: 'failed';
      readonly code: string;
      readonly retryable: boolean;
      readonly message: string;
    };

export interface UpdateResult<Id> extends CoalescedUpdate<Id> {
  readonly outcome: CheckpointOutcome;
}

/**
 * The checkpoints of each consumer group as read (or since written) during one invocation, keyed
 * by `groupKey`. Pass the same map to several `applyCheckpoints` calls of one invocation so each
 * group is read once.
 */
export type KnownCheckpoints = Map<string, Promise<Map<number, string>>>;

export interface ApplyDeps {
  readonly client: Pick<SlsClient, 'updateCheckpoint' | 'getCheckpoints'>;
  readonly endpoint: string;
  /** Epoch ms no request (or retry) may run past. */
  readonly deadline: number;
  /** Shards written at once, at least 1. */
  readonly concurrency: number;
  /** Read the group's checkpoints first and skip updates that would move a shard backwards. */
  readonly monotonic: boolean;
  readonly logger?: Logger | undefined;
  readonly known?: KnownCheckpoints | undefined;
}

const MAX_MESSAGE_CHARS = 500;

/**
 * Coalesces `commands` (see `coalesce`) and applies them.
 *
 * Updates of one shard that could not be merged (different consumers) are sent one after the
 * other in event order, so the shard ends at the last one as if each command had been sent;
 * different shards go concurrently, `concurrency` at a time. Retryable errors are retried by the
 * client until `deadline`. With `monotonic`, each consumer group's checkpoints are read once.
 */
export async function applyCheckpoints<Id>(
  commands: readonly IdentifiedCommand<Id>[],
  deps: ApplyDeps,
): Promise<UpdateResult<Id>[]> {
  const logger = deps.logger ?? silentLogger;
  const known = deps.known ?? new Map();
  const updates = coalesce(commands, { monotonic: deps.monotonic, endpoint: deps.endpoint });
  const outcomes = new Map<CoalescedUpdate<Id>, CheckpointOutcome>();

  const chains = new Map<string, CoalescedUpdate<Id>[]>();
  for (const update of updates) {
    const key = shardKey(update.command, deps.endpoint);
    const chain = chains.get(key);
    if (chain === undefined) chains.set(key, [update]);
    else chain.push(update);
  }
  const queue = [...chains.values()].map((chain) => chain.sort((a, b) => a.position - b.position));

  const applyOne = async (update: CoalescedUpdate<Id>): Promise<CheckpointOutcome> => {
    const { command } = update;
    const target = targetOf(command, deps.endpoint);
    try {
      let current: Map<number, string> | undefined;
      if (deps.monotonic) {
        current = await readOnce(known, target, deps);
        const skipped = skipReason(command, current.get(command.shard), logger);
        if (skipped !== undefined) return skipped;
      }
      await deps.client.updateCheckpoint(
        target,
        {
          shard: command.shard,
          checkpoint: command.checkpoint,
          consumer: command.consumer,
          forceSuccess: command.forceSuccess,
        },
        { deadline: deps.deadline },
      );
      current?.set(command.shard, command.checkpoint);
      return { status: 'applied' };
    } catch (error) {
      return failedOutcome(error);
    }
  };

  await forEachConcurrently(queue, deps.concurrency, async (chain) => {
    for (const update of chain) outcomes.set(update, await applyOne(update));
  });

  return updates.map((update) => {
    const outcome = outcomes.get(update) ?? {
      status: 'failed',
      code: 'Unexpected',
      retryable: true,
      message: 'the update was not attempted',
    };
    logOutcome(logger, update, outcome);
    return { ...update, outcome };
  });
}

function targetOf(command: CheckpointCommand, endpoint: string): Target {
  return {
    endpoint,
    project: command.project,
    logstore: command.logstore,
    consumerGroup: command.consumerGroup,
  };
}

/** Reads a group's checkpoints once per `known`; later callers share the read (or its failure). */
function readOnce(known: KnownCheckpoints, target: Target, deps: ApplyDeps): Promise<Map<number, string>> {
  const key = groupKey(target, target.endpoint);
  let read = known.get(key);
  if (read === undefined) {
    read = deps.client
      .getCheckpoints(target, { deadline: deps.deadline })
      .then((list) => new Map(list.map((c) => [c.shard, c.checkpoint])));
    // Failures are handled by each waiting update; this keeps an unawaited rejection quiet.
    read.catch(() => {});
    known.set(key, read);
  }
  return read;
}

/** The skip outcome when `command` would move the shard back from `current`. */
function skipReason(
  command: CheckpointCommand,
  current: string | undefined,
  logger: Logger,
): CheckpointOutcome | undefined {
  // A shard that never had a checkpoint reports '': nothing to move back from.
  if (current === undefined || current === '') return undefined;
  const order = compareCursors(command.checkpoint, current);
  if (order === undefined) {
    // Not an integer cursor (SLS never makes one, but a producer could): send it, say so.
    logger.warn('checkpoint.cursor_not_comparable', {
      ...describeCommand(command),
      checkpoint: command.checkpoint,
      current,
    });
    return undefined;
  }
  return order < 0 ? { status: 'skipped', current } : undefined;
}

function failedOutcome(error: unknown): CheckpointOutcome {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { retryable?: unknown };
  const message =
    error instanceof Error ? error.message : `non-Error thrown (${error === null ? 'null' : typeof error})`;
  return {
    status: 'failed',
    code: errorCode(error),
    // Unknown failures are worth another delivery; typed errors say for themselves.
    retryable: typeof e.retryable === 'boolean' ? e.retryable : true,
    message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}...` : message,
  };
}

/** The fields that identify a command in logs and errors. */
export function describeCommand(command: CheckpointCommand): Record<string, unknown> {
  return {
    project: command.project,
    logstore: command.logstore,
    consumerGroup: command.consumerGroup,
    shard: command.shard,
    consumer: command.consumer,
  };
}

function logOutcome<Id>(logger: Logger, update: CoalescedUpdate<Id>, outcome: CheckpointOutcome): void {
  if (outcome.status === 'applied') return;
  const fields = {
    ...describeCommand(update.command),
    checkpoint: update.command.checkpoint,
    records: update.ids.length,
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
