/**
 * Checkpoint commands: the JSON a producer sends to move one shard's checkpoint to a cursor, or
 * to seek one shard or every shard to `begin`, `end` or a point in time. Parsing never throws
 * and never echoes the input; every error names the field that is wrong.
 */
import * as z from 'zod/mini';
import type { SeekPosition } from '../sls/types.ts';
import { checkpointProblem, shardProblem } from '../sls/validation.ts';
import { formatIssues, slsNameSchema as slsName } from '../validation.ts';
import { parsePosition } from './position.ts';

interface CommandBase {
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  readonly consumer: string | undefined;
  /** Always true when `consumer` is undefined: the API refuses anything else. */
  readonly forceSuccess: boolean;
}

/**
 * One shard and one cursor, every default resolved: exactly what one `UpdateCheckPoint` needs.
 * `from` is set when the cursor was resolved from a seek: a deliberate move (see `settleShard`).
 */
export interface CheckpointCommand extends CommandBase {
  readonly shard: number;
  /** The SLS cursor, standard base64. */
  readonly checkpoint: string;
  readonly from?: SeekPosition | undefined;
}

/** Every shard of the logstore (ListShards), for a seek. */
export const ALL_SHARDS = '*';

/** A seek as sent: a position SLS resolves (GetCursor), for one shard or every shard. */
export interface SeekCommand extends CommandBase {
  readonly shard: number | typeof ALL_SHARDS;
  readonly from: SeekPosition;
  readonly checkpoint?: undefined;
}

/** A validated command: a cursor for one shard, or a seek. */
export type Command = CheckpointCommand | SeekCommand;

/** Whether a command still needs its position resolved (a seek not resolved yet). */
export const isSeek = (command: Command): command is SeekCommand => command.checkpoint === undefined;

/**
 * Where a command without `project`, `logstore` or `consumerGroup` goes (the `SLS_*` variables).
 *
 * There is deliberately no default consumer, although the environment may name one
 * (`SLS_CONSUMER`): a command without `consumer` is a forced, ownerless update, and quietly
 * attaching a consumer would turn it into a `forceSuccess=false` update that SLS rejects
 * (`ConsumerNotMatch`) whenever that consumer does not hold the shard at that moment.
 */
export interface CommandDefaults {
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
}

export type ParseResult =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: string };

/** SQS allows 1 MiB, but a command is a few hundred bytes; anything far larger is not one. */
export const MAX_BODY_CHARS = 16 * 1024;
/** Keeps an error (which lands in logs and Lambda errors) short even for absurd inputs. */
const MAX_ERROR_CHARS = 300;

/** `custom` rather than `number()`/`string()` so a wrong type gets the same wording as the client's own checks. */
const checked = <T>(problemOf: (value: unknown) => string | undefined) =>
  z.custom<T>((v) => problemOf(v) === undefined, {
    error: (i) => (i.input === undefined ? 'is required' : (problemOf(i.input) ?? 'is invalid')),
  });

const shardOrAll = (value: unknown): string | undefined => {
  if (value === ALL_SHARDS) return undefined;
  const problem = shardProblem(value);
  // A string is either "*" or a mistake worth a hint; other types get the plain rule.
  return typeof value === 'string' ? 'must be an integer, or "*" (every shard) with from' : problem;
};

const positionProblem = (value: unknown): string | undefined => {
  const position = parsePosition(value);
  return position.ok ? undefined : position.problem;
};

const commandSchema = z.strictObject({
  project: z.optional(slsName('project')),
  logstore: z.optional(slsName('logstore')),
  consumerGroup: z.optional(slsName('consumerGroup')),
  shard: checked<number | typeof ALL_SHARDS>(shardOrAll),
  checkpoint: z.optional(checked<string>(checkpointProblem)),
  from: z.optional(
    z.custom<unknown>((v) => positionProblem(v) === undefined, {
      error: (i) => positionProblem(i.input) ?? 'is invalid',
    }),
  ),
  consumer: z.optional(slsName('consumer')),
  forceSuccess: z.optional(z.boolean()),
});

/** Exactly one of `checkpoint` (a cursor) and `from` (a seek); `"*"` only with `from`. */
function targetProblem(input: Record<string, unknown>): string | undefined {
  const hasCursor = input.checkpoint !== undefined;
  const hasFrom = input.from !== undefined;
  if (!hasCursor && !hasFrom) return 'checkpoint or from is required';
  if (hasCursor && hasFrom) return 'checkpoint and from cannot both be given (a cursor, or a seek)';
  if (hasCursor && input.shard === ALL_SHARDS) return 'shard "*" needs from: a cursor belongs to one shard';
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function failure(error: string): ParseResult {
  return {
    ok: false,
    error: error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}...` : error,
  };
}

/**
 * Validates an already-decoded command (EventBridge `detail`, an element of a direct invocation)
 * and resolves its defaults. `root` names the whole value in errors.
 *
 * `forceSuccess` follows the API: absent consumer means `true` (and an explicit `false` is an
 * error rather than something silently overridden); a given consumer defaults to `false`, so
 * SLS checks that the consumer still holds the shard.
 */
export function parseCommand(input: unknown, defaults: CommandDefaults, root = 'command'): ParseResult {
  try {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return failure(`${root} must be a JSON object, got ${kindOf(input)}`);
    }
    const parsed = commandSchema.safeParse(input, { reportInput: true });
    const target = targetProblem(input as Record<string, unknown>);
    if (!parsed.success) {
      return failure([formatIssues(parsed.error.issues, root, 5), target].filter(Boolean).join('; '));
    }
    if (target !== undefined) return failure(target);
    const c = parsed.data;
    if (c.consumer === undefined && c.forceSuccess === false) {
      return failure('forceSuccess must be true or absent when no consumer is given (SLS requires it)');
    }
    const base = {
      project: c.project ?? defaults.project,
      logstore: c.logstore ?? defaults.logstore,
      consumerGroup: c.consumerGroup ?? defaults.consumerGroup,
      consumer: c.consumer,
      forceSuccess: c.forceSuccess ?? c.consumer === undefined,
    };
    if (c.checkpoint !== undefined && c.shard !== ALL_SHARDS) {
      return { ok: true, command: { ...base, shard: c.shard, checkpoint: c.checkpoint } };
    }
    const position = parsePosition(c.from);
    if (!position.ok) return failure(`from ${position.problem}`);
    return { ok: true, command: { ...base, shard: c.shard, from: position.from } };
  } catch {
    // zod does not throw on bad data; this guards against getters and proxies in direct invokes.
    return failure(`${root} could not be read`);
  }
}

/**
 * Parses a JSON text (an SQS message body) into a command. The JSON error is not passed on:
 * V8's message quotes the input around the bad token.
 */
export function parseCommandBody(body: unknown, defaults: CommandDefaults, root = 'body'): ParseResult {
  if (typeof body !== 'string') return failure(`${root} must be a string, got ${kindOf(body)}`);
  if (body.length > MAX_BODY_CHARS) {
    return failure(`${root} is ${body.length} characters long; a command is at most ${MAX_BODY_CHARS}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return failure(`${root} is not valid JSON`);
  }
  return parseCommand(value, defaults, root);
}
