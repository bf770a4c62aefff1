/** Public surface of the local SLS emulator (see `startEmulator` in `./server.ts`). */
import type { Latency } from './latency.ts';

export type { Latency };

/** An AccessKey the emulator accepts. */
export interface EmulatorKey {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** When set, requests must carry it in `x-acs-security-token`. */
  readonly securityToken?: string | undefined;
  /** Epoch ms after which the STS token is rejected as expired. */
  readonly expiresAt?: number | undefined;
  /** A disabled key is rejected with 401 Unauthorized. */
  readonly disabled?: boolean | undefined;
}

/** How a request was signed: v1 with either HMAC, or v4. */
export type SignatureScheme = 'v1-hmac-sha1' | 'v1-hmac-sha256' | 'v4';

export type EmulatedOperation =
  | 'heartbeat'
  | 'checkpoint'
  | 'getCheckpoint'
  | 'createConsumerGroup'
  | 'getCursor'
  | 'getCursorTime'
  | 'listShards'
  | 'listConsumerGroups';

/** A fault served instead of (or before) the real handling of matching requests. */
export type FaultAction =
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly message?: string }
  /**
   * The socket is destroyed before any reply byte. With `applied`, the request is applied first
   * (a reset after SLS stored it: the client cannot tell the two apart).
   */
  | { readonly kind: 'drop'; readonly applied?: boolean | undefined }
  /**
   * The request is held this many real milliseconds, then applied and answered. It is applied
   * even when the client gave up waiting meanwhile, as a slow SLS does.
   */
  | { readonly kind: 'delay'; readonly ms: number }
  /**
   * The request is held until `release()`, then applied and answered (if its connection is
   * still open): a request applied long after it was sent, without a test waiting for real.
   */
  | { readonly kind: 'hold' };

/** What a fault policy sees of a request (see `SlsEmulator.setFaultPolicy`). */
export interface FaultRequest {
  readonly operation: EmulatedOperation | 'unknown';
  readonly consumerGroup: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface Fault {
  /** Which operation it hits; all when absent. */
  readonly operation?: EmulatedOperation | undefined;
  /** Only requests for this consumer group. */
  readonly consumerGroup?: string | undefined;
  /** How many matching requests it hits (default 1). */
  readonly times?: number | undefined;
  readonly action: FaultAction;
}

/** What the emulator saw, for assertions. */
export interface RecordedRequest {
  readonly time: number;
  readonly operation: EmulatedOperation | 'unknown';
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string;
  readonly status: number;
  readonly errorCode?: string | undefined;
  readonly fault?: FaultAction['kind'] | undefined;
  /** How it was signed, once its signature verified. */
  readonly signature?: SignatureScheme | undefined;
}

export interface ConsumerView {
  readonly name: string;
  readonly lastHeartbeat: number;
  /** What the consumer last reported holding. */
  readonly held: readonly number[];
  /** What the emulator assigns to it. */
  readonly assigned: readonly number[];
}

export interface CheckpointView {
  readonly shard: number;
  readonly checkpoint: string;
  /** Microseconds since the epoch. */
  readonly updateTime: number;
  readonly consumer: string;
}

/** A ListShards entry, as the API page documents it. */
export interface ShardEntry {
  readonly shardID: number;
  readonly status: 'readwrite' | 'readonly';
  readonly inclusiveBeginKey: string;
  readonly exclusiveEndKey: string;
  readonly createTime: number;
}

/** A ListConsumerGroup entry, as the SDKs read it (`name`, not the page's `consumerGroup`). */
export interface GroupEntry {
  readonly name: string;
  readonly timeout: number;
  readonly order: boolean;
}

/** How a logstore is made (`createLogstore`). */
export interface LogstoreOptions {
  /**
   * Log groups each shard receives per second by itself, from the logstore's creation on (0, the
   * default: only what tests append with `writeLogGroups`). At most 1,000,000 per shard are kept.
   */
  readonly writeRate?: number | undefined;
  /** Shards listed as `readonly`, as after a split or merge; still readable and checkpointed. */
  readonly readOnlyShards?: readonly number[] | undefined;
}

export interface EmulatorOptions {
  /** The emulator's clock (epoch ms); drive it from tests. Defaults to Date.now. */
  readonly now?: () => number;
  readonly keys?: readonly EmulatorKey[];
  /** 0 (default) picks a free port. Always bound to 127.0.0.1. */
  readonly port?: number;
  /** Allowed |client Date - server time| before RequestTimeExpired (default 15 minutes). */
  readonly maxClockSkewMs?: number;
  /** The SLS region this endpoint plays (default `cn-hangzhou`): v4 signatures must be scoped to it. */
  readonly region?: string;
  /** The default `writeRate` of every logstore (see `LogstoreOptions`); 0 unless set. */
  readonly writeRate?: number;
  /** Distance to pretend (real milliseconds, see `./latency.ts`); none by default. */
  readonly latency?: Latency | undefined;
}

export interface SlsEmulator {
  /** `http://127.0.0.1:PORT`: use it as the client's endpoint. */
  readonly url: string;
  /** The region v4 signatures must be scoped to. */
  readonly region: string;
  close(): Promise<void>;

  createProject(project: string): void;
  /** Creates (or replaces) a logstore, created now as the emulator's clock says. */
  createLogstore(project: string, logstore: string, shardCount: number, options?: LogstoreOptions): void;
  createConsumerGroup(
    project: string,
    logstore: string,
    consumerGroup: string,
    settings: { timeoutSeconds: number; inOrder?: boolean },
  ): void;
  /** Adds or replaces a key (by accessKeyId). */
  putKey(key: EmulatorKey): void;
  removeKey(accessKeyId: string): void;

  checkpoints(project: string, logstore: string, consumerGroup: string): CheckpointView[];
  /**
   * Appends log groups to a shard, received at these epoch-ms instants (oldest first), and
   * returns the cursor of each: what GetCursor and GetCursorTime then serve.
   */
  writeLogGroups(project: string, logstore: string, shard: number, receivedAt: readonly number[]): string[];
  consumers(project: string, logstore: string, consumerGroup: string): ConsumerView[];
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;

  injectFault(fault: Fault): void;
  clearFaults(): void;
  /**
   * Decides a fault for every request that no injected fault matched (chaos runs); `undefined`
   * removes the policy.
   */
  setFaultPolicy(policy: ((request: FaultRequest) => FaultAction | undefined) | undefined): void;
  /**
   * Sets the distance every later request pays (undefined: none); throws a `RangeError` naming
   * the field when it is unusable. Connections already open count as set up.
   */
  setLatency(latency: Latency | undefined): void;
  /** Applies and answers every request held by a `hold` fault; resolves to how many there were. */
  release(): number;
  /** Requests received and not yet answered (held and delayed ones included). */
  readonly inFlight: number;
  /** Resolves once no request is in flight. */
  idle(): Promise<void>;
}
