/**
 * One heartbeat of one logical consumer, with the two recoveries SLS asks for: register again
 * when the consumer expired, and create the group when it does not exist (if allowed).
 */
import { errorCode } from '../failure.ts';
import type { ConsumerGroupSettings } from '../sls/types.ts';
import type { ErrorSummary, HeartbeatClient, HeartbeatTarget } from './types.ts';

/** SLS's answer to a heartbeat that reports shards for a consumer it does not know (it expired). */
export const CONSUMER_EXPIRED = 'NotExistConsumerWithBody';
export const GROUP_MISSING = 'ConsumerGroupNotExist';
export const GROUP_EXISTS = 'ConsumerGroupAlreadyExist';

export interface BeatOptions {
  /** Epoch ms no request of this beat may run past. */
  readonly deadline: number;
  /** When set, a missing consumer group is created with these settings. */
  readonly createGroup?: ConsumerGroupSettings | undefined;
}

interface BeatFlags {
  /** The consumer had expired and a heartbeat with `[]` was sent. */
  readonly reRegistered: boolean;
  /** The group was missing: `created` by us, or `existed` (someone else created it meanwhile). */
  readonly group?: 'created' | 'existed' | undefined;
}

export type BeatOutcome =
  | (BeatFlags & { readonly ok: true; readonly shards: readonly number[] })
  | (BeatFlags & { readonly ok: false; readonly error: unknown });

/** A thrown value reduced to what summaries may show. */
export function summarizeError(error: unknown): ErrorSummary {
  const e = (error ?? {}) as {
    message?: unknown;
    retryable?: unknown;
    status?: unknown;
    requestId?: unknown;
  };
  return {
    code: errorCode(error),
    message: typeof e.message === 'string' ? e.message : String(error),
    retryable: e.retryable === true,
    status: typeof e.status === 'number' ? e.status : undefined,
    requestId: typeof e.requestId === 'string' ? e.requestId : undefined,
  };
}

const ascending = (shards: readonly number[]): number[] => [...shards].sort((a, b) => a - b);

/**
 * Sends one heartbeat reporting `held`. Never throws: failures come back as an outcome, so the
 * caller can keep `held` (dropping shards on an error would hand them to another consumer while
 * this one may still be working on them).
 *
 * - `NotExistConsumerWithBody`: the consumer expired, so SLS refuses a non-empty report; it is
 *   registered again at once with `[]`, as SLS requires, and gets a fresh assignment.
 * - `ConsumerGroupNotExist` with `createGroup`: the group is created (`ConsumerGroupAlreadyExist`
 *   counts as success, another invocation may have won the race) and the consumer registers
 *   with `[]`, since nobody can hold a shard of a group that did not exist.
 */
export async function beat(
  client: HeartbeatClient,
  target: HeartbeatTarget,
  held: readonly number[],
  options: BeatOptions,
): Promise<BeatOutcome> {
  const call = { deadline: options.deadline };
  let report = held;
  let reRegistered = false;
  let group: 'created' | 'existed' | undefined;
  for (;;) {
    try {
      const assigned = await client.heartbeat(target, target.consumer, report, call);
      return { ok: true, shards: ascending(assigned), reRegistered, group };
    } catch (error) {
      const code = errorCode(error);
      if (code === CONSUMER_EXPIRED && !reRegistered && report.length > 0) {
        reRegistered = true;
        report = [];
        continue;
      }
      if (code === GROUP_MISSING && options.createGroup !== undefined && group === undefined) {
        try {
          await client.createConsumerGroup(target, options.createGroup, call);
          group = 'created';
        } catch (createError) {
          if (errorCode(createError) !== GROUP_EXISTS) {
            return { ok: false, error: createError, reRegistered, group };
          }
          group = 'existed';
        }
        report = [];
        continue;
      }
      return { ok: false, error, reRegistered, group };
    }
  }
}

/**
 * The shards the consumer group's checkpoints name `target.consumer` as holding: what a consumer
 * that lost its memory (a cold start) still holds in SLS's view.
 */
export async function heldFromCheckpoints(
  client: HeartbeatClient,
  target: HeartbeatTarget,
  deadline: number,
): Promise<number[]> {
  const checkpoints = await client.getCheckpoints(target, { deadline });
  return ascending(checkpoints.filter((c) => c.consumer === target.consumer).map((c) => c.shard));
}
