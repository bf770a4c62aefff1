/**
 * The read-only logstore and shard operations (GetCursor, GetCursorTime, ListShards,
 * ListConsumerGroup): request building and reply parsing over the client's `send` seam, so
 * they share its signing, retry and deadline rules without growing the client itself.
 */
import { SlsValidationError } from './errors.ts';
import type { HttpResponse } from './http.ts';
import { assertName } from './names.ts';
import type { PreparedRequest } from './signer.ts';
import type { CallOptions, ConsumerGroupInfo, LogstoreTarget, SeekPosition, ShardInfo } from './types.ts';
import {
  checkpointProblem,
  consumerGroupListReply,
  cursorReply,
  cursorTimeReply,
  parseReply,
  shardInfoListReply,
  shardProblem,
} from './validation.ts';

/** Sends one read request with the client's rules and returns its 2xx reply (`SlsClient.send`). */
export type Send = (
  operation: string,
  target: LogstoreTarget,
  request: PreparedRequest,
  options: CallOptions,
) => Promise<HttpResponse>;

function logstorePath(target: LogstoreTarget): string {
  assertName('project', target.project);
  assertName('logstore', target.logstore);
  return `/logstores/${target.logstore}`;
}

/** A shard-level read (GetCursor, GetCursorTime) of a logstore. */
function shardRequest(target: LogstoreTarget, shard: number, query: Record<string, string>): PreparedRequest {
  const path = logstorePath(target);
  const shardIssue = shardProblem(shard);
  if (shardIssue) throw new SlsValidationError(`shard ${String(shard)} ${shardIssue}`);
  return { method: 'GET', path: `${path}/shards/${shard}`, query };
}

/** GetCursor's `from`: `begin`, `end`, or whole unix seconds (SLS takes nothing finer). */
function fromParameter(from: SeekPosition): string {
  if (from === 'begin' || from === 'end') return from;
  if (!Number.isSafeInteger(from) || from < 0) {
    throw new SlsValidationError(`from ${String(from)} must be "begin", "end" or whole unix seconds >= 0`);
  }
  return String(from);
}

export async function getCursor(
  send: Send,
  target: LogstoreTarget,
  shard: number,
  from: SeekPosition,
  options: CallOptions,
): Promise<string> {
  const request = shardRequest(target, shard, { type: 'cursor', from: fromParameter(from) });
  const response = await send(`GetCursor shard ${shard}`, target, request, options);
  return parseReply('GetCursor', response, cursorReply).cursor;
}

export async function getCursorTime(
  send: Send,
  target: LogstoreTarget,
  shard: number,
  cursor: string,
  options: CallOptions,
): Promise<number> {
  const cursorIssue = checkpointProblem(cursor);
  if (cursorIssue) throw new SlsValidationError(`cursor ${cursorIssue}`);
  const request = shardRequest(target, shard, { type: 'cursor_time', cursor });
  const response = await send(`GetCursorTime shard ${shard}`, target, request, options);
  return Number(parseReply('GetCursorTime', response, cursorTimeReply).cursor_time);
}

export async function listShards(
  send: Send,
  target: LogstoreTarget,
  options: CallOptions,
): Promise<ShardInfo[]> {
  const request: PreparedRequest = { method: 'GET', path: `${logstorePath(target)}/shards`, query: {} };
  const response = await send('ListShards', target, request, options);
  return parseReply('ListShards', response, shardInfoListReply)
    .map((s) => ({
      shard: s.shardID,
      status: s.status,
      inclusiveBeginKey: s.inclusiveBeginKey,
      exclusiveEndKey: s.exclusiveEndKey,
      createTime: s.createTime,
    }))
    .sort((a, b) => a.shard - b.shard);
}

export async function listConsumerGroups(
  send: Send,
  target: LogstoreTarget,
  options: CallOptions,
): Promise<ConsumerGroupInfo[]> {
  const request: PreparedRequest = {
    method: 'GET',
    path: `${logstorePath(target)}/consumergroups`,
    query: {},
  };
  const response = await send('ListConsumerGroup', target, request, options);
  return parseReply('ListConsumerGroup', response, consumerGroupListReply).map((g) => ({
    consumerGroup: g.name ?? g.consumerGroup ?? '',
    timeoutSeconds: g.timeout,
    inOrder: g.order,
  }));
}
