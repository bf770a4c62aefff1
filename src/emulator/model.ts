/**
 * The emulator's in-memory SLS: projects, logstores with shards, consumer groups with
 * checkpoints and consumers. Pure state and rules, no HTTP; every method takes the current time.
 */
import { type Consumer, rebalance } from './balance.ts';
import { BASE64, cursorAt, cursorOf, cursorTimeOf, hashRange, ShardLog } from './cursors.ts';
import type { CheckpointView, ConsumerView, GroupEntry, LogstoreOptions, ShardEntry } from './types.ts';

/** An SLS error reply: HTTP status, `errorCode`, `errorMessage`. */
export class EmulatorError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

interface StoredCheckpoint {
  checkpoint: string;
  updateTimeMicros: number;
}

interface Group {
  readonly timeoutSeconds: number;
  readonly inOrder: boolean;
  readonly consumers: Map<string, Consumer>;
  readonly checkpoints: Map<number, StoredCheckpoint>;
}

interface Logstore {
  readonly shardCount: number;
  readonly groups: Map<string, Group>;
  /** Per shard, when each log group was received. */
  readonly logs: Map<number, ShardLog>;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly readOnly: ReadonlySet<number>;
  /** Log groups per second each shard receives by itself. */
  readonly writeRate: number;
}

export interface CheckpointRequest {
  readonly shard: number;
  readonly checkpoint: string;
  readonly consumer?: string | undefined;
  readonly forceSuccess: boolean;
}

/** The emulated service state. */
export class SlsModel {
  readonly #projects = new Map<string, Map<string, Logstore>>();

  createProject(project: string): void {
    if (!this.#projects.has(project)) this.#projects.set(project, new Map());
  }

  createLogstore(
    project: string,
    logstore: string,
    shardCount: number,
    options: LogstoreOptions = {},
    now = 0,
  ): void {
    if (!Number.isInteger(shardCount) || shardCount < 1)
      throw new Error('shardCount must be a positive integer');
    const readOnly = new Set(options.readOnlyShards ?? []);
    for (const shard of readOnly) {
      if (!Number.isInteger(shard) || shard < 0 || shard >= shardCount) throw new Error(`no shard ${shard}`);
    }
    // Fails here, not on the first request, when the rate is not a number >= 0.
    new ShardLog(now, options.writeRate);
    this.createProject(project);
    this.#projectOf(project).set(logstore, {
      shardCount,
      groups: new Map(),
      logs: new Map(),
      createdAt: now,
      readOnly,
      writeRate: options.writeRate ?? 0,
    });
  }

  /** ListShards: every shard, read-only ones included. */
  listShards(project: string, logstore: string): ShardEntry[] {
    const store = this.#logstoreOf(project, logstore);
    return Array.from({ length: store.shardCount }, (_, shard) => {
      const range = hashRange(shard, store.shardCount);
      return {
        shardID: shard,
        status: store.readOnly.has(shard) ? 'readonly' : 'readwrite',
        inclusiveBeginKey: range.begin,
        exclusiveEndKey: range.end,
        createTime: Math.floor(store.createdAt / 1000),
      };
    });
  }

  /** ListConsumerGroup, in the order the groups were created. */
  listConsumerGroups(project: string, logstore: string): GroupEntry[] {
    const store = this.#logstoreOf(project, logstore);
    return [...store.groups].map(([name, g]) => ({ name, timeout: g.timeoutSeconds, order: g.inOrder }));
  }

  /** CreateConsumerGroup. */
  createConsumerGroup(
    project: string,
    logstore: string,
    name: string,
    settings: { timeoutSeconds: number; inOrder?: boolean },
  ): void {
    const store = this.#logstoreOf(project, logstore);
    if (store.groups.has(name)) {
      throw new EmulatorError(400, 'ConsumerGroupAlreadyExist', `consumer group ${name} already exist`);
    }
    if (
      !Number.isInteger(settings.timeoutSeconds) ||
      settings.timeoutSeconds < 1 ||
      settings.timeoutSeconds > 86_400
    ) {
      throw new EmulatorError(400, 'ParameterInvalid', 'timeout must be an integer between 1 and 86400');
    }
    store.groups.set(name, {
      timeoutSeconds: settings.timeoutSeconds,
      inOrder: settings.inOrder ?? false,
      consumers: new Map(),
      checkpoints: new Map(),
    });
  }

  /**
   * ConsumerGroupHeartBeat: records that `consumer` is alive and holds `held`, rebalances, and
   * returns the shards assigned to it. An unknown consumer may only register with an empty list.
   */
  heartbeat(
    project: string,
    logstore: string,
    group: string,
    consumer: string,
    held: readonly number[],
    now: number,
  ): number[] {
    const store = this.#logstoreOf(project, logstore);
    const g = this.#groupOf(store, group);
    this.#expire(g, now);
    let c = g.consumers.get(consumer);
    if (c === undefined) {
      if (held.length > 0) {
        throw new EmulatorError(
          400,
          'NotExistConsumerWithBody',
          'non-exist consumer with non-empty body of heartbeat message.',
        );
      }
      c = { name: consumer, lastHeartbeat: now, held: new Set(), assigned: new Set() };
      g.consumers.set(consumer, c);
    }
    c.lastHeartbeat = now;
    c.held = new Set(held.filter((s) => s >= 0 && s < store.shardCount));
    rebalance(g, store.shardCount);
    return [...c.assigned].sort((a, b) => a - b);
  }

  /** UpdateCheckPoint. */
  updateCheckpoint(
    project: string,
    logstore: string,
    group: string,
    req: CheckpointRequest,
    now: number,
  ): void {
    const store = this.#logstoreOf(project, logstore);
    const g = this.#groupOf(store, group);
    this.#expire(g, now);
    if (req.consumer === undefined && !req.forceSuccess) {
      throw new EmulatorError(
        400,
        'ParameterInvalid',
        'forceSuccess must be true when no consumer is specified',
      );
    }
    if (!Number.isInteger(req.shard) || req.shard < 0 || req.shard >= store.shardCount) {
      throw new EmulatorError(404, 'ShardNotExist', 'shard not exist.');
    }
    if (req.checkpoint.length === 0 || !BASE64.test(req.checkpoint)) {
      throw new EmulatorError(400, 'InvalidShardCheckPoint', 'shard checkpoint not encoded by base64.');
    }
    if (req.consumer !== undefined) {
      const c = g.consumers.get(req.consumer);
      if (c === undefined) {
        throw new EmulatorError(404, 'ConsumerNotExist', 'consumer not exist in the consumer group');
      }
      if (!req.forceSuccess && !c.assigned.has(req.shard)) {
        throw new EmulatorError(
          400,
          'ConsumerNotMatch',
          `consumer ${c.name} does not hold shard ${req.shard}`,
        );
      }
    }
    g.checkpoints.set(req.shard, { checkpoint: req.checkpoint, updateTimeMicros: now * 1000 });
  }

  /** GetCheckPoint: one entry per shard; `consumer` is the shard's current owner, if any. */
  checkpoints(project: string, logstore: string, group: string, now?: number): CheckpointView[] {
    const store = this.#logstoreOf(project, logstore);
    const g = this.#groupOf(store, group);
    if (now !== undefined) this.#expire(g, now);
    const owner = new Map<number, string>();
    for (const c of g.consumers.values()) for (const s of c.assigned) owner.set(s, c.name);
    const out: CheckpointView[] = [];
    for (let shard = 0; shard < store.shardCount; shard++) {
      const stored = g.checkpoints.get(shard);
      out.push({
        shard,
        checkpoint: stored?.checkpoint ?? '',
        updateTime: stored?.updateTimeMicros ?? 0,
        consumer: owner.get(shard) ?? '',
      });
    }
    return out;
  }

  /**
   * Appends log groups received at `receivedAt` (epoch ms, in time order, none before the shard's
   * last) to a shard; returns their cursors.
   */
  writeLogGroups(project: string, logstore: string, shard: number, receivedAt: readonly number[]): string[] {
    return this.#shardLog(this.#logstoreOf(project, logstore), shard).append(receivedAt).map(cursorAt);
  }

  /** GetCursor (see `cursorOf`). */
  cursor(project: string, logstore: string, shard: number, from: string, now: number): string {
    const log = this.#shardLog(this.#logstoreOf(project, logstore), shard).at(now);
    const cursor = cursorOf(log, from);
    if (cursor === undefined) throw new EmulatorError(400, 'ParameterInvalid', 'Parameter From is not valid');
    return cursor;
  }

  /** GetCursorTime (see `cursorTimeOf`). */
  cursorTime(project: string, logstore: string, shard: number, cursor: string, now: number): number {
    const log = this.#shardLog(this.#logstoreOf(project, logstore), shard).at(now);
    const time = cursorTimeOf(log, cursor, now);
    if (time === undefined) throw new EmulatorError(400, 'InvalidCursor', 'cursor is out of range');
    return time;
  }

  /** The live consumers of a group (expired ones are removed first when `now` is given). */
  consumers(project: string, logstore: string, group: string, now?: number): ConsumerView[] {
    const g = this.#groupOf(this.#logstoreOf(project, logstore), group);
    if (now !== undefined) this.#expire(g, now);
    return [...g.consumers.values()]
      .map((c) => ({
        name: c.name,
        lastHeartbeat: c.lastHeartbeat,
        held: [...c.held].sort((a, b) => a - b),
        assigned: [...c.assigned].sort((a, b) => a - b),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Throws ProjectNotExist when the project is unknown. */
  requireProject(project: string): void {
    this.#projectOf(project);
  }

  #projectOf(project: string): Map<string, Logstore> {
    const p = this.#projects.get(project);
    if (p === undefined)
      throw new EmulatorError(404, 'ProjectNotExist', `The Project does not exist : ${project}`);
    return p;
  }

  #logstoreOf(project: string, logstore: string): Logstore {
    const store = this.#projectOf(project).get(logstore);
    if (store === undefined)
      throw new EmulatorError(404, 'LogStoreNotExist', `logstore ${logstore} does not exist`);
    return store;
  }

  /** A shard's log; an unknown shard is `400 ShardNotExist`, as the GetCursor and GetCursorTime pages say. */
  #shardLog(store: Logstore, shard: number): ShardLog {
    if (!Number.isInteger(shard) || shard < 0 || shard >= store.shardCount) {
      throw new EmulatorError(400, 'ShardNotExist', `Shard ${shard} does not exist`);
    }
    let log = store.logs.get(shard);
    if (log === undefined) {
      log = new ShardLog(store.createdAt, store.writeRate);
      store.logs.set(shard, log);
    }
    return log;
  }

  #groupOf(store: Logstore, group: string): Group {
    const g = store.groups.get(group);
    if (g === undefined) throw new EmulatorError(404, 'ConsumerGroupNotExist', 'consumer group not exist.');
    return g;
  }

  /** Consumers whose last heartbeat is older than the group timeout are gone, with their shards. */
  #expire(g: Group, now: number): void {
    for (const [name, c] of g.consumers) {
      if (now - c.lastHeartbeat > g.timeoutSeconds * 1000) g.consumers.delete(name);
    }
  }
}
