/**
 * The status of a consumer group, read-only: its settings, its consumers, and per shard the
 * checkpoint and when SLS received the data there, its owner and last update, the shard's end
 * and the lag. What the checkpoint function answers to `{"action":"status"}` and the CLI shows.
 *
 * Requests: ListConsumerGroup, ListShards and GetCheckPoint at once; then per shard, `concurrency`
 * shards at a time, GetCursor(`end`), GetCursorTime of the end, and GetCursorTime of the checkpoint
 * when it is behind the end: at most 3 + 3 × shards, all within the deadline.
 */
import { forEachConcurrently } from '../concurrency.ts';
import { errorCode } from '../failure.ts';
import { lagBehind } from '../lag/measure.ts';
import type { SlsClient } from '../sls/client.ts';
import type { ShardCheckpoint, ShardInfo, Target } from '../sls/types.ts';

export type StatusClient = Pick<
  SlsClient,
  'listConsumerGroups' | 'listShards' | 'getCheckpoints' | 'getCursor' | 'getCursorTime'
>;

export interface StatusDeps {
  readonly client: StatusClient;
  /** Epoch ms, the client's clock. */
  readonly now: () => number;
  /** Epoch ms no request may run past. */
  readonly deadline: number;
  /** Shards read at once. */
  readonly concurrency: number;
}

/** One shard. Times are unix seconds as SLS reports them; undefined where there is none. */
export interface ShardStatus {
  readonly shard: number;
  /** `readwrite`, or `readonly` after a split or merge. */
  readonly status: string;
  /** Undefined when the group never checkpointed this shard. */
  readonly checkpoint: string | undefined;
  /** When SLS received the log group at the checkpoint (the end's time when it is at the end). */
  readonly checkpointTime: number | undefined;
  /** The consumer that holds the shard, per GetCheckPoint. */
  readonly consumer: string | undefined;
  /** When the checkpoint was last written. */
  readonly updateTime: number | undefined;
  readonly endCursor: string | undefined;
  /** GetCursorTime of the end cursor. */
  readonly endTime: number | undefined;
  /** How long the oldest log group not consumed yet has waited; 0 at the end. */
  readonly lagSeconds: number | undefined;
  /** Why some of the above could not be read. */
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

export interface GroupStatus {
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  /** When it was read, unix seconds by our clock (lag is measured against it). */
  readonly measuredAt: number;
  readonly timeoutSeconds: number;
  readonly inOrder: boolean;
  /** The consumers that hold shards (SLS lists no others), by name. */
  readonly consumers: readonly { readonly consumer: string; readonly shards: readonly number[] }[];
  /** The largest shard lag; undefined when no shard could be measured. */
  readonly lagSeconds: number | undefined;
  readonly shards: readonly ShardStatus[];
  /** Shards with an `error`. */
  readonly shardErrors: number;
}

/** Thrown when ListConsumerGroup does not list the group (GetCheckPoint may still answer, briefly). */
export class GroupNotFoundError extends Error {
  override name = 'GroupNotFoundError';
  readonly code = 'ConsumerGroupNotExist';
  readonly retryable = false;
}

const MAX_MESSAGE_CHARS = 300;
const seconds = (micros: number): number | undefined => (micros > 0 ? Math.floor(micros / 1e6) : undefined);

/**
 * Reads the group's status. Throws when the group itself cannot be read (the three group-level
 * reads); a shard that cannot be read is returned with its `error` and counted in `shardErrors`.
 */
export async function readGroupStatus(target: Target, deps: StatusDeps): Promise<GroupStatus> {
  const options = { deadline: deps.deadline };
  const measuredAt = deps.now();
  const [groups, shards, checkpoints] = await Promise.all([
    deps.client.listConsumerGroups(target, options),
    deps.client.listShards(target, options),
    deps.client.getCheckpoints(target, options),
  ]);
  const settings = groups.find((g) => g.consumerGroup === target.consumerGroup);
  if (settings === undefined) {
    throw new GroupNotFoundError(
      `consumer group ${target.project}/${target.logstore}/${target.consumerGroup} is not in ListConsumerGroup's reply`,
    );
  }
  const byShard = new Map(checkpoints.map((c) => [c.shard, c]));
  const statuses = new Map<number, ShardStatus>();
  await forEachConcurrently(shardIds(shards, checkpoints), deps.concurrency, async (shard) => {
    const info = shards.find((s) => s.shard === shard);
    statuses.set(shard, await readShard(target, shard, info, byShard.get(shard), deps, options));
  });
  const list = [...statuses.values()].sort((a, b) => a.shard - b.shard);
  const lags = list.flatMap((s) => (s.lagSeconds === undefined ? [] : [s.lagSeconds]));
  return {
    project: target.project,
    logstore: target.logstore,
    consumerGroup: target.consumerGroup,
    measuredAt: Math.floor(measuredAt / 1000),
    timeoutSeconds: settings.timeoutSeconds,
    inOrder: settings.inOrder,
    consumers: consumersOf(list),
    lagSeconds: lags.length === 0 ? undefined : Math.max(...lags),
    shards: list,
    shardErrors: list.filter((s) => s.error !== undefined).length,
  };
}

/** Every shard ListShards names, and any other that has a checkpoint. */
function shardIds(shards: readonly ShardInfo[], checkpoints: readonly ShardCheckpoint[]): number[] {
  return [...new Set([...shards.map((s) => s.shard), ...checkpoints.map((c) => c.shard)])];
}

async function readShard(
  target: Target,
  shard: number,
  info: ShardInfo | undefined,
  stored: ShardCheckpoint | undefined,
  deps: StatusDeps,
  options: { deadline: number },
): Promise<ShardStatus> {
  const checkpoint = stored?.checkpoint ? stored.checkpoint : undefined;
  let status: ShardStatus = {
    shard,
    // A checkpointed shard ListShards does not name (merged away since): say so.
    status: info?.status ?? 'unlisted',
    checkpoint,
    checkpointTime: undefined,
    consumer: stored?.consumer ? stored.consumer : undefined,
    updateTime: seconds(stored?.updateTime ?? 0),
    endCursor: undefined,
    endTime: undefined,
    lagSeconds: undefined,
  };
  // One read after the other, each filling in what it learnt, so a failure keeps the rest.
  try {
    const end = await deps.client.getCursor(target, shard, 'end', options);
    status = { ...status, endCursor: end };
    if (checkpoint !== undefined) {
      const lag = await lagBehind(deps.client, target, shard, checkpoint, end, deps.now, options);
      // Whole seconds, as SLS's own times are.
      status = { ...status, checkpointTime: lag.receivedAt, lagSeconds: Math.round(lag.seconds) };
    }
    const endTime = await deps.client.getCursorTime(target, shard, end, options);
    // At the end, the checkpoint's time is the end's.
    const checkpointTime = checkpoint === undefined ? undefined : (status.checkpointTime ?? endTime);
    return { ...status, endTime, checkpointTime };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...status, error: { code: errorCode(error), message: message.slice(0, MAX_MESSAGE_CHARS) } };
  }
}

function consumersOf(shards: readonly ShardStatus[]): GroupStatus['consumers'] {
  const held = new Map<string, number[]>();
  for (const s of shards) {
    if (s.consumer === undefined) continue;
    held.set(s.consumer, [...(held.get(s.consumer) ?? []), s.shard]);
  }
  return [...held]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([consumer, list]) => ({ consumer, shards: list }));
}
