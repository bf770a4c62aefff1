/**
 * Collapsing many checkpoint commands into one request per shard, and comparing SLS cursors.
 */
import type { CheckpointCommand } from './command.ts';

/** A validated command and the id of the record it came from (an SQS messageId, an array index). */
export interface IdentifiedCommand<Id> {
  readonly id: Id;
  readonly command: CheckpointCommand;
}

/** One request to send, standing for every record in `ids` (in event order). */
export interface CoalescedUpdate<Id> {
  /** Identity of the (consumer group, consumer, shard) this update targets; see `coalesceKey`. */
  readonly key: string;
  /** The command that is sent: the last in event order (or, monotonic, the furthest). */
  readonly command: CheckpointCommand;
  readonly ids: readonly Id[];
  /** Position (in the input) of the command that is sent; orders updates of one shard. */
  readonly position: number;
}

/**
 * The consumer group a command belongs to, as a string key. Includes the endpoint so two
 * regions' groups of the same name never merge.
 */
export function groupKey(
  group: Pick<CheckpointCommand, 'project' | 'logstore' | 'consumerGroup'>,
  endpoint = '',
): string {
  return JSON.stringify([endpoint, group.project, group.logstore, group.consumerGroup]);
}

/** A shard of a consumer group: what the checkpoint belongs to, whoever writes it. */
export function shardKey(command: CheckpointCommand, endpoint = ''): string {
  return JSON.stringify([endpoint, command.project, command.logstore, command.consumerGroup, command.shard]);
}

/**
 * What commands collapse on: the shard, and the consumer. Commands of different consumers are
 * not merged because they are different requests (SLS checks ownership per consumer).
 */
export function coalesceKey(command: CheckpointCommand, endpoint = ''): string {
  return JSON.stringify([
    endpoint,
    command.project,
    command.logstore,
    command.consumerGroup,
    command.consumer ?? null,
    command.shard,
  ]);
}

const DIGITS = /^\d+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The integer an SLS cursor encodes (cursors are base64 of a decimal string, e.g.
 * `MTUyNDE1NTM3OTM3MzkwODQ5Ng==` is 1524155379373908496), or undefined when it is not one.
 * BigInt because cursors exceed 2^53.
 */
export function decodeCursor(cursor: string): bigint | undefined {
  if (cursor.length === 0 || !BASE64.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('latin1');
  return DIGITS.test(text) ? BigInt(text) : undefined;
}

/** -1, 0 or 1 as cursor `a` is before, at or after `b`; undefined when either is not comparable. */
export function compareCursors(a: string, b: string): -1 | 0 | 1 | undefined {
  const x = decodeCursor(a);
  const y = decodeCursor(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface CoalesceOptions {
  /**
   * Keep the furthest cursor instead of the last: what applying the commands one by one with
   * the monotonic rule would leave behind (a command behind an earlier one would be skipped).
   * A cursor that does not decode is never treated as behind.
   */
  readonly monotonic?: boolean;
  readonly endpoint?: string;
}

/**
 * Groups commands by `coalesceKey`, keeping the last in input (event) order, so one request per
 * key is sent. Every group keeps the ids of all records it stands for: they share its fate.
 * Groups come out in the order of their first record.
 */
export function coalesce<Id>(
  commands: readonly IdentifiedCommand<Id>[],
  options: CoalesceOptions = {},
): CoalescedUpdate<Id>[] {
  const groups = new Map<string, { command: CheckpointCommand; ids: Id[]; position: number }>();
  commands.forEach(({ id, command }, position) => {
    const key = coalesceKey(command, options.endpoint);
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { command, ids: [id], position });
      return;
    }
    group.ids.push(id);
    if (options.monotonic && compareCursors(command.checkpoint, group.command.checkpoint) === -1) return;
    group.command = command;
    group.position = position;
  });
  return [...groups].map(([key, g]) => ({ key, command: g.command, ids: g.ids, position: g.position }));
}
