/**
 * SLS cursors as numbers, and the keys that tell consumer groups and shards apart.
 */
import type { Command } from './command.ts';

/**
 * The consumer group a command belongs to, as a string key. Includes the endpoint so two
 * regions' groups of the same name never merge.
 */
export function groupKey(
  group: Pick<Command, 'project' | 'logstore' | 'consumerGroup'>,
  endpoint = '',
): string {
  return JSON.stringify([endpoint, group.project, group.logstore, group.consumerGroup]);
}

/** A shard of a consumer group (`"*"`: all of them): what the checkpoint belongs to, whoever writes it. */
export function shardKey(command: Command, endpoint = ''): string {
  return JSON.stringify([endpoint, command.project, command.logstore, command.consumerGroup, command.shard]);
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
