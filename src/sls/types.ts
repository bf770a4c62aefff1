/** Where a consumer group lives. `endpoint` is a region host or a URL (see `resolveEndpoint`). */
export interface Target {
  readonly endpoint: string;
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
}

/** Where a logstore lives (shard-level reads need no consumer group). */
export type LogstoreTarget = Pick<Target, 'endpoint' | 'project' | 'logstore'>;

/** An SLS AccessKey pair, optionally with an STS security token. */
export interface SlsCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/**
 * Supplies credentials to the client. `get` may serve a cache; `refresh` is called after SLS
 * rejected `rejected` and must return credentials that are at least as new as the source's
 * current value (implementations coalesce concurrent refreshes and skip the fetch when the
 * cache already moved past `rejected`).
 */
export interface CredentialsProvider {
  get(): Promise<SlsCredentials>;
  refresh(rejected: SlsCredentials): Promise<SlsCredentials>;
}

/** One `UpdateCheckPoint` call. `forceSuccess` must be true when `consumer` is absent. */
export interface CheckpointUpdate {
  readonly shard: number;
  readonly checkpoint: string;
  readonly consumer?: string | undefined;
  readonly forceSuccess: boolean;
}

/** One shard's entry in `GetCheckPoint`. */
export interface ShardCheckpoint {
  readonly shard: number;
  readonly checkpoint: string;
  /** Microseconds since the epoch, as SLS reports it. */
  readonly updateTime: number;
  readonly consumer: string;
}

export interface ConsumerGroupSettings {
  readonly timeoutSeconds: number;
  readonly inOrder: boolean;
}

/** Per-call options. `deadline` is an absolute epoch-ms instant no retry may run past. */
export interface CallOptions {
  readonly deadline?: number | undefined;
}

/** Where GetCursor looks: `begin`, `end` (where the next log group goes) or whole unix seconds. */
export type SeekPosition = 'begin' | 'end' | number;

/** One shard in `ListShards`. */
export interface ShardInfo {
  readonly shard: number;
  /** `readwrite`, or `readonly` once split or merged (still readable, still checkpointed). */
  readonly status: string;
  readonly inclusiveBeginKey?: string | undefined;
  readonly exclusiveEndKey?: string | undefined;
  /** Unix seconds. */
  readonly createTime?: number | undefined;
}

/** One group in `ListConsumerGroup`. */
export interface ConsumerGroupInfo {
  readonly consumerGroup: string;
  readonly timeoutSeconds: number;
  readonly inOrder: boolean;
}
