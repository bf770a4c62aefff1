/** An in-memory stand-in for the SlsClient calls the checkpoint use case and status make. */
import type { CheckpointCommand } from '../../../src/checkpoint/command.ts';
import { SlsApiError } from '../../../src/sls/errors.ts';
import type {
  CallOptions,
  CheckpointUpdate,
  ConsumerGroupInfo,
  LogstoreTarget,
  SeekPosition,
  ShardCheckpoint,
  ShardInfo,
  Target,
} from '../../../src/sls/types.ts';
import { cursor } from '../../helpers/factories.ts';

export interface UpdateCall {
  readonly target: Target;
  readonly update: CheckpointUpdate;
  readonly options: CallOptions;
}

export interface FakeClient {
  readonly updates: UpdateCall[];
  readonly reads: Target[];
  /** Stored checkpoints by `project/logstore/group` then shard. */
  readonly stored: Map<string, Map<number, string>>;
  /** Called before an update is stored; throw to fail it. */
  onUpdate: (call: UpdateCall) => void | Promise<void>;
  onRead: (target: Target) => void | Promise<void>;
  /** Most updates in flight at once. */
  maxInFlight: number;
  /** ListShards and GetCursor calls, as `listShards p/l` and `getCursor p/l shard from`. */
  readonly lookups: string[];
  /** Shards every logstore has. */
  shardCount: number;
  /** Called before a ListShards or GetCursor answers; throw to fail it. */
  onLookup: (call: string) => void | Promise<void>;
  updateCheckpoint(target: Target, update: CheckpointUpdate, options?: CallOptions): Promise<void>;
  getCheckpoints(target: Target, options?: CallOptions): Promise<ShardCheckpoint[]>;
  listShards(target: LogstoreTarget, options?: CallOptions): Promise<ShardInfo[]>;
  /** `seekCursor(shard, from)`. */
  getCursor(
    target: LogstoreTarget,
    shard: number,
    from: SeekPosition,
    options?: CallOptions,
  ): Promise<string>;
  getCursorTime(
    target: LogstoreTarget,
    shard: number,
    cursor: string,
    options?: CallOptions,
  ): Promise<number>;
  listConsumerGroups(target: LogstoreTarget, options?: CallOptions): Promise<ConsumerGroupInfo[]>;
}

/**
 * The fake's GetCursor answer: shard × 10^6 plus 0 for `begin`, 999,999 for `end`, and the
 * time's last five digits (+1) for a time, so every (shard, position) has its own cursor.
 */
export function seekCursor(shard: number, from: SeekPosition): string {
  const offset = from === 'begin' ? 0 : from === 'end' ? 999_999 : (from % 100_000) + 1;
  return cursor(shard * 1_000_000 + offset);
}

export const groupName = (t: Pick<Target, 'project' | 'logstore' | 'consumerGroup'>): string =>
  `${t.project}/${t.logstore}/${t.consumerGroup}`;

export function apiError(code: string, status: number, retryable = status >= 500): SlsApiError {
  return new SlsApiError(`UpdateCheckPoint failed: ${status} ${code}`, {
    code,
    status,
    retryable,
    operation: 'UpdateCheckPoint',
  });
}

export function createFakeClient(): FakeClient {
  let inFlight = 0;
  const fake: FakeClient = {
    updates: [],
    reads: [],
    stored: new Map(),
    onUpdate: () => {},
    onRead: () => {},
    maxInFlight: 0,
    lookups: [],
    shardCount: 4,
    onLookup: () => {},
    async listShards(target) {
      const call = `listShards ${target.project}/${target.logstore}`;
      fake.lookups.push(call);
      await fake.onLookup(call);
      return Array.from({ length: fake.shardCount }, (_, shard) => ({ shard, status: 'readwrite' }));
    },
    async getCursor(target, shard, from) {
      const call = `getCursor ${target.project}/${target.logstore} ${shard} ${from}`;
      fake.lookups.push(call);
      await fake.onLookup(call);
      return seekCursor(shard, from);
    },
    async getCursorTime() {
      return 0;
    },
    async listConsumerGroups() {
      return [];
    },
    async updateCheckpoint(target, update, options = {}) {
      const call = { target, update, options };
      fake.updates.push(call);
      inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
      try {
        // Yield so concurrent calls overlap the way real requests do.
        await Promise.resolve();
        await fake.onUpdate(call);
        const key = groupName(target);
        const shards = fake.stored.get(key) ?? new Map<number, string>();
        shards.set(update.shard, update.checkpoint);
        fake.stored.set(key, shards);
      } finally {
        inFlight--;
      }
    },
    async getCheckpoints(target) {
      fake.reads.push(target);
      await fake.onRead(target);
      const shards = fake.stored.get(groupName(target)) ?? new Map<number, string>();
      return [...shards].map(([shard, checkpoint]) => ({ shard, checkpoint, updateTime: 0, consumer: '' }));
    },
  };
  return fake;
}

export { type LogLine, recordingLogger } from '../../helpers/logger.ts';

/** A resolved command for shard `shard` with cursor `value`; forced, no consumer, unless overridden. */
export const cmd = (
  shard: number,
  value: number | bigint,
  overrides: Partial<CheckpointCommand> = {},
): CheckpointCommand => ({
  project: 'proj',
  logstore: 'store',
  consumerGroup: 'group',
  shard,
  checkpoint: cursor(value),
  consumer: undefined,
  forceSuccess: true,
  ...overrides,
});
