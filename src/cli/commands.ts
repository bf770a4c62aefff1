/**
 * The CLI's three commands over the same use cases the checkpoint function runs: `status` reads
 * the group (`readGroupStatus`), `seek` and `set` go through `runCheckpointBatch` as one direct
 * command, so they get the same validation, one-value-per-shard, read-back and reporting rules.
 */
import { landed, runCheckpointBatch } from '../checkpoint/batch.ts';
import { ALL_SHARDS, type Command, parseCommand } from '../checkpoint/command.ts';
import { describePosition } from '../checkpoint/position.ts';
import { describeFate, summarize } from '../checkpoint/report.ts';
import type { CommonConfig, Env } from '../config.ts';
import { errorCode } from '../failure.ts';
import { slsClientFor } from '../handlers/sls-client.ts';
import type { SlsClient } from '../sls/client.ts';
import { createUndiciTransport } from '../sls/http.ts';
import { groupName } from '../sls/names.ts';
import type { Target } from '../sls/types.ts';
import { type GroupStatus, readGroupStatus } from '../status/status.ts';
import { type ConnectionFlags, credentialsFor, loadCliConfig } from './config.ts';
import { confirm } from './confirm.ts';
import { CliError, EXIT, type ExitCode } from './exit.ts';
import { type Colors, json, resultText, statusText } from './render.ts';

/** What a command runs with: the process's streams and environment, or a test's. */
export interface CliContext {
  readonly env: Env;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly colors: Colors;
  readonly now: () => number;
}

export interface CommonFlags extends ConnectionFlags {
  readonly json?: boolean | undefined;
  /** Seconds the whole command may take. */
  readonly timeout: number;
}

export interface MoveFlags extends CommonFlags {
  readonly shard: string;
  readonly consumer?: string | undefined;
  readonly force?: boolean | undefined;
  readonly yes?: boolean | undefined;
}

/** Shards read or written at once. */
const CONCURRENCY = 8;
const CREDENTIAL_CODES = /^Secret|^SecretsManager/;

interface Session {
  readonly config: CommonConfig;
  readonly client: SlsClient;
  readonly target: Target;
  readonly deadline: number;
  close(): Promise<void>;
}

/** Configuration and credentials checked before anything is sent (exit 4 when unusable). */
async function openSession(flags: CommonFlags, ctx: CliContext): Promise<Session> {
  const config = loadCliConfig(flags, ctx.env);
  const credentials = await credentialsFor(flags, config, ctx.env).catch((error: unknown) => {
    throw failure('credentials', error, EXIT.config);
  });
  try {
    await credentials.provider.get();
  } catch (error) {
    credentials.close();
    throw failure('credentials', error, EXIT.config);
  }
  const transport = createUndiciTransport();
  return {
    config,
    client: slsClientFor(config, { credentials: credentials.provider, transport }),
    target: {
      endpoint: config.endpoint,
      project: config.project,
      logstore: config.logstore,
      consumerGroup: config.consumerGroup,
    },
    deadline: ctx.now() + flags.timeout * 1000,
    close: async () => {
      credentials.close();
      await transport.close();
    },
  };
}

/**
 * A failure as the CLI reports it: SLS's (or the network's) as exit 1, unless `exitCode` says
 * otherwise; a credentials failure met on the way as exit 4.
 */
function failure(context: string, error: unknown, exitCode: ExitCode = EXIT.failed): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(
    `${context}: ${message}`,
    CREDENTIAL_CODES.test(errorCode(error)) ? EXIT.config : exitCode,
  );
}

function readStatus(session: Session, ctx: CliContext): Promise<GroupStatus> {
  return readGroupStatus(session.target, {
    client: session.client,
    now: ctx.now,
    deadline: session.deadline,
    concurrency: CONCURRENCY,
  });
}

/** `status`: exit 0 when every shard was read, 1 when some could not be. */
export async function statusCommand(flags: CommonFlags, ctx: CliContext): Promise<ExitCode> {
  const session = await openSession(flags, ctx);
  try {
    const status = await readStatus(session, ctx).catch((error: unknown) => {
      throw failure(`status of ${groupName(session.target)}`, error);
    });
    ctx.stdout.write(`${flags.json ? json(status) : statusText(status, ctx.colors)}\n`);
    return status.shardErrors === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await session.close();
  }
}

/** The command line's shard: `*`, or a number for the command's own validation to judge. */
const shardValue = (text: string): unknown => (/^\d{1,10}$/.test(text) ? Number(text) : text);
/** A `--from` of digits is unix seconds; anything else is judged as the command's `from` is. */
const fromValue = (text: string): unknown => (/^\d{1,16}$/.test(text) ? Number(text) : text);

/** Checks the command as the function would (exit 2 when it would refuse it). */
function validated(raw: Record<string, unknown>): Command {
  // The names are checked with the configuration; only the command's own fields are judged here.
  const parsed = parseCommand(
    raw,
    { project: 'project', logstore: 'logstore', consumerGroup: 'group' },
    'command',
  );
  if (!parsed.ok)
    throw new CliError(parsed.error.replace(/^from /, '--from ').replace(/^shard /, '--shard '), EXIT.usage);
  return parsed.command;
}

function describeMove(command: Command, target: Target): string {
  const shards = command.shard === ALL_SHARDS ? 'every shard' : `shard ${command.shard}`;
  const to = command.from === undefined ? `checkpoint ${command.checkpoint}` : describePosition(command.from);
  const as =
    command.consumer === undefined
      ? 'forced, as no consumer'
      : `as consumer ${command.consumer}${command.forceSuccess ? ', forced' : ''}`;
  return `Move ${shards} of consumer group ${groupName(target)} to ${to} (${as})?`;
}

/**
 * `seek` and `set`: one command through the checkpoint use case, after a yes (or `--yes`).
 * Prints what it did, then the group's status as it now is.
 */
export async function moveCommand(
  kind: 'seek' | 'set',
  flags: MoveFlags & { readonly from?: string; readonly checkpoint?: string },
  ctx: CliContext,
): Promise<ExitCode> {
  const raw: Record<string, unknown> = {
    shard: shardValue(flags.shard),
    ...(kind === 'seek' ? { from: fromValue(flags.from ?? '') } : { checkpoint: flags.checkpoint }),
    ...(flags.consumer === undefined ? {} : { consumer: flags.consumer, forceSuccess: flags.force === true }),
  };
  validated(raw);
  const session = await openSession(flags, ctx);
  try {
    const { project, logstore, consumerGroup } = session.target;
    const command = validated({ ...raw, project, logstore, consumerGroup });
    if (
      flags.yes !== true &&
      !(await confirm(describeMove(command, session.target), ctx.stdin, ctx.stderr))
    ) {
      throw new CliError(
        'not confirmed: nothing was changed (pass --yes to skip the question)',
        EXIT.notConfirmed,
      );
    }
    const report = await runCheckpointBatch(
      [{ parsed: { ok: true, command } }],
      { ordered: false },
      {
        client: session.client,
        endpoint: session.config.endpoint,
        deadline: session.deadline,
        concurrency: CONCURRENCY,
        // An operator's move is deliberate: a `set` may move a shard back too.
        monotonic: false,
      },
    );
    const summary = summarize('direct', report.fates, report.updates);
    const failures = report.fates.filter((f) => !landed(f)).map(describeFate);
    const status = await readStatus(session, ctx).catch((error: unknown) => {
      ctx.stderr.write(`${ctx.colors.yellow(failure('status afterwards', error).message)}\n`);
      return null;
    });
    const what = kind === 'seek' ? `seek to ${flags.from}` : 'set';
    if (flags.json) {
      ctx.stdout.write(`${json({ result: { ...summary, failures }, status })}\n`);
    } else {
      const parts = [resultText(what, summary, failures, ctx.colors)];
      if (status !== null) parts.push(statusText(status, ctx.colors));
      ctx.stdout.write(`${parts.join('\n\n')}\n`);
    }
    return failures.length === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await session.close();
  }
}
