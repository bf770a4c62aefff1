/**
 * Consumer lag: how long the oldest log group a consumer group has not consumed yet has been
 * waiting, per group, from SLS's own records. Read-only; the heartbeat function runs it once per
 * invocation when `LAG_METRICS` is on.
 *
 * Per group: one GetCheckPoint, then per shard that has a checkpoint one GetCursor(`end`) and,
 * only when the checkpoint is behind the end, one GetCursorTime of the checkpoint. So at most
 * 1 + 2 × shards requests, and 1 + shards when the group is caught up.
 */
import { compareCursors } from '../checkpoint/cursor.ts';
import { forEachConcurrently } from '../concurrency.ts';
import { errorCode } from '../failure.ts';
import type { Logger } from '../log.ts';
import type { SlsClient } from '../sls/client.ts';
import type { CallOptions, LogstoreTarget, Target } from '../sls/types.ts';

export type LagClient = Pick<SlsClient, 'getCheckpoints' | 'getCursor' | 'getCursorTime'>;

/** One group's lag. */
export interface GroupLag {
  readonly target: Target;
  /**
   * The largest shard lag in seconds: for a shard whose checkpoint is behind its end, now minus
   * the time SLS received the log group at the checkpoint; 0 for a caught-up shard. Undefined
   * when no shard could be measured (the checkpoints could not be read, or no shard has one).
   */
  readonly lagSeconds: number | undefined;
  /** Shards whose lag was measured. */
  readonly measured: number;
  /** Shards with a checkpoint whose lag could not be read (their error is logged). */
  readonly failed: number;
}

export interface LagDeps {
  readonly client: LagClient;
  /** Epoch ms. */
  readonly now: () => number;
  /** Epoch ms no request may run past. */
  readonly deadline: number;
  /** Requests at once, across groups. */
  readonly concurrency: number;
  readonly logger: Logger;
}

interface ShardTask {
  readonly group: number;
  readonly shard: number;
  readonly checkpoint: string;
}

/**
 * Measures each group's lag. Never throws: a group or shard that cannot be read is logged
 * (`lag.unavailable`, `lag.shard_unavailable`) and left out of its group's figure.
 */
export async function measureLag(groups: readonly Target[], deps: LagDeps): Promise<GroupLag[]> {
  const options = { deadline: deps.deadline };
  const lags = groups.map(() => ({ max: undefined as number | undefined, measured: 0, failed: 0 }));
  const tasks: ShardTask[] = [];
  await forEachConcurrently([...groups.keys()], deps.concurrency, async (group) => {
    const target = groups[group] as Target;
    try {
      for (const c of await deps.client.getCheckpoints(target, options)) {
        // A shard never checkpointed has no position to measure from.
        if (c.checkpoint !== '') tasks.push({ group, shard: c.shard, checkpoint: c.checkpoint });
      }
    } catch (error) {
      deps.logger.warn('lag.unavailable', { ...describe(target), code: errorCode(error), error });
    }
  });
  await forEachConcurrently(tasks, deps.concurrency, async (task) => {
    const target = groups[task.group] as Target;
    const lag = lags[task.group] as (typeof lags)[number];
    try {
      const { seconds } = await shardLag(deps.client, target, task.shard, task.checkpoint, deps.now, options);
      lag.max = Math.max(lag.max ?? 0, seconds);
      lag.measured++;
    } catch (error) {
      lag.failed++;
      deps.logger.warn('lag.shard_unavailable', {
        ...describe(target),
        shard: task.shard,
        code: errorCode(error),
        error,
      });
    }
  });
  return groups.map((target, i) => {
    const lag = lags[i] as (typeof lags)[number];
    return {
      target,
      lagSeconds: lag.max,
      measured: lag.measured,
      failed: lag.failed,
    };
  });
}

/** What a shard's lag is made of (see `shardLag`). */
export interface ShardLag {
  /** The shard's end cursor: where the next log group will be written. */
  readonly end: string;
  /** When SLS received the log group at the checkpoint (unix seconds); undefined at the end. */
  readonly receivedAt: number | undefined;
  /** 0 at (or past) the end; else now minus `receivedAt`, never negative. */
  readonly seconds: number;
}

/**
 * One shard's lag behind `checkpoint`: GetCursor(`end`), and only when the checkpoint is behind
 * it, GetCursorTime of the checkpoint (`lagBehind`).
 */
export async function shardLag(
  client: Pick<LagClient, 'getCursor' | 'getCursorTime'>,
  target: LogstoreTarget,
  shard: number,
  checkpoint: string,
  now: () => number,
  options: CallOptions,
): Promise<ShardLag> {
  const end = await client.getCursor(target, shard, 'end', options);
  return lagBehind(client, target, shard, checkpoint, end, now, options);
}

/** The lag of `checkpoint` on a shard whose end is `end`; the status operation reads `end` itself. */
export async function lagBehind(
  client: Pick<LagClient, 'getCursorTime'>,
  target: LogstoreTarget,
  shard: number,
  checkpoint: string,
  end: string,
  now: () => number,
  options: CallOptions,
): Promise<ShardLag> {
  // At (or past) the end: nothing is waiting. A cursor that is not a number is measured anyway.
  if ((compareCursors(checkpoint, end) ?? -1) >= 0) return { end, receivedAt: undefined, seconds: 0 };
  const receivedAt = await client.getCursorTime(target, shard, checkpoint, options);
  // SLS's clock against ours: a small skew must not show as negative lag.
  return { end, receivedAt, seconds: Math.max(0, now() / 1000 - receivedAt) };
}

function describe(target: Target) {
  return { project: target.project, logstore: target.logstore, consumerGroup: target.consumerGroup };
}
