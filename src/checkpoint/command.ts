/**
 * Checkpoint commands: the JSON a producer sends to move one shard's checkpoint. Parsing never
 * throws and never echoes the input; every error names the field that is wrong.
 */
import * as z from 'zod/mini';
import { checkpointProblem, shardProblem } from '../sls/validation.ts';
import { formatIssues, slsNameSchema as slsName } from '../validation.ts';

/** A validated command with every default resolved: exactly what one `UpdateCheckPoint` needs. */
export interface CheckpointCommand {
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
  readonly shard: number;
  /** The SLS cursor, standard base64. */
  readonly checkpoint: string;
  readonly consumer: string | undefined;
  /** Always true when `consumer` is undefined: the API refuses anything else. */
  readonly forceSuccess: boolean;
}

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
  | { readonly ok: true; readonly command: CheckpointCommand }
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

const commandSchema = z.strictObject({
  project: z.optional(slsName('project')),
  logstore: z.optional(slsName('logstore')),
  consumerGroup: z.optional(slsName('consumerGroup')),
  shard: checked<number>(shardProblem),
  checkpoint: checked<string>(checkpointProblem),
  consumer: z.optional(slsName('consumer')),
  forceSuccess: z.optional(z.boolean()),
});

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
    if (!parsed.success) return failure(formatIssues(parsed.error.issues, root, 5));
    const c = parsed.data;
    if (c.consumer === undefined && c.forceSuccess === false) {
      return failure('forceSuccess must be true or absent when no consumer is given (SLS requires it)');
    }
    return {
      ok: true,
      command: {
        project: c.project ?? defaults.project,
        logstore: c.logstore ?? defaults.logstore,
        consumerGroup: c.consumerGroup ?? defaults.consumerGroup,
        shard: c.shard,
        checkpoint: c.checkpoint,
        consumer: c.consumer,
        forceSuccess: c.forceSuccess ?? c.consumer === undefined,
      },
    };
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
