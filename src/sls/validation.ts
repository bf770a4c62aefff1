/**
 * The value rules of the SLS API, one definition for both directions: what the client refuses to
 * send is also what it refuses to accept. A reply that breaks them (a shard id above 2^31-1, say)
 * would otherwise be kept as state and then refused on the way out, on every later call.
 */
import * as z from 'zod/mini';
import { formatIssues } from '../validation.ts';
import { SlsResponseError } from './errors.ts';
import type { HttpResponse } from './http.ts';
import { nameProblem } from './names.ts';

/** SLS shard ids are 32-bit signed integers. */
export const MAX_SHARD_ID = 2 ** 31 - 1;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Checks a shard id: a non-negative 32-bit integer. */
export function shardProblem(shard: unknown): string | undefined {
  if (typeof shard !== 'number' || !Number.isInteger(shard)) return 'must be an integer';
  if (shard < 0 || shard > MAX_SHARD_ID) return `must be between 0 and ${MAX_SHARD_ID}`;
  return undefined;
}

/** Checks an SLS cursor: non-empty standard base64. */
export function checkpointProblem(checkpoint: unknown): string | undefined {
  if (typeof checkpoint !== 'string') return 'must be a string';
  if (checkpoint.length === 0) return 'must not be empty';
  if (checkpoint.length > 1024) return 'must be at most 1024 characters';
  if (!BASE64.test(checkpoint)) return 'must be base64 (A-Z, a-z, 0-9, +, / and = padding)';
  return undefined;
}

const shardId = z
  .number()
  .check(
    z.refine((v) => shardProblem(v) === undefined, { error: (i) => shardProblem(i.input) ?? 'is invalid' }),
  );

/** `ConsumerGroupHeartBeat`'s reply: the shards assigned. */
export const shardListReply = z.array(shardId);

/**
 * `GetCheckPoint`'s reply. The cursor is not held to `checkpointProblem`: SLS reports `""` for a
 * shard that was never checkpointed, and the cursor read is never sent back as it is.
 */
export const checkpointListReply = z.array(
  z.looseObject({
    shard: shardId,
    checkpoint: z.string(),
    updateTime: z.optional(z.number()),
    consumer: z.optional(z.string()),
  }),
);

/** GetCursor. */
export const cursorReply = z.looseObject({ cursor: z.string().check(z.minLength(1)) });
/**
 * GetCursorTime. Documented as a string in one version of the API page and a number in its
 * examples and the SDKs (Go decodes an int, Java and Python take either): both are accepted.
 */
export const cursorTimeReply = z.looseObject({
  cursor_time: z.union([z.int().check(z.minimum(0)), z.string().check(z.regex(/^\d{1,12}$/))]),
});

/** ListShards: one entry per shard, read-only ones (split or merged away) included. */
export const shardInfoListReply = z.array(
  z.looseObject({
    shardID: shardId,
    status: z.string(),
    inclusiveBeginKey: z.optional(z.string()),
    exclusiveEndKey: z.optional(z.string()),
    createTime: z.optional(z.number()),
  }),
);

const groupName = z.string().check(
  z.refine((v) => nameProblem('consumerGroup', v) === undefined, {
    error: (i) => nameProblem('consumerGroup', i.input) ?? 'is invalid',
  }),
);

/**
 * ListConsumerGroup. The SDKs (Go, Python) and the CLI's sample read the group's name from
 * `name`; the API page's table calls it `consumerGroup`: either is taken.
 */
export const consumerGroupListReply = z.array(
  z
    .looseObject({
      name: z.optional(groupName),
      consumerGroup: z.optional(groupName),
      timeout: z.int().check(z.minimum(0)),
      order: z.boolean(),
    })
    .check(
      z.refine((g) => g.name !== undefined || g.consumerGroup !== undefined, {
        error: 'must name the group (name)',
      }),
    ),
);

/** The body of an SLS error reply. */
export const errorReply = z.looseObject({ errorCode: z.string(), errorMessage: z.optional(z.string()) });

/**
 * Parses a 2xx reply's JSON body against `schema`, or throws `SlsResponseError` code
 * `InvalidResponse` (not retryable: asking again would most likely get the same answer; the
 * caller's next call tries anew). The message says where and which rule; the body is never quoted.
 */
export function parseReply<T>(operation: string, response: HttpResponse, schema: z.ZodMiniType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw invalidReply(operation, response, 'is not JSON');
  }
  const parsed = schema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues, 'reply', 3);
    throw invalidReply(operation, response, `does not have the documented shape (${problems})`);
  }
  return parsed.data;
}

function invalidReply(operation: string, response: HttpResponse, problem: string): SlsResponseError {
  const requestId = response.headers['x-log-requestid'];
  return new SlsResponseError(
    `${operation} reply ${problem}${requestId ? ` (requestId ${requestId})` : ''}`,
    { code: 'InvalidResponse', retryable: false, status: response.status, requestId, operation },
  );
}
