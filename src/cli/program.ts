/**
 * The operator CLI's command line (commander): `status`, `seek` and `set`, each with `--help`,
 * and the exit codes of `./exit.ts`. `runCli` never calls `process.exit`: it returns the code.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FROM_RULE } from '../checkpoint/position.ts';
import { type CliContext, type CommonFlags, type MoveFlags, moveCommand, statusCommand } from './commands.ts';
import { ENVIRONMENT_HELP } from './config.ts';
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from './exit.ts';

const MAX_TIMEOUT_SECONDS = 3600;

function seconds(text: string): number {
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(`must be whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
  return Number(text);
}

/** The connection and output options every command takes. */
function withCommonOptions(command: Command): Command {
  return command
    .option('--endpoint <endpoint>', 'SLS endpoint, a region host or a URL (SLS_ENDPOINT)')
    .option('--project <name>', 'project (SLS_PROJECT)')
    .option('--logstore <name>', 'logstore (SLS_LOGSTORE)')
    .option('--group <name>', 'consumer group (SLS_CONSUMER_GROUP)')
    .option('--secret-id <id>', 'Secrets Manager secret holding the AccessKey (SLS_CREDENTIALS_SECRET_ID)')
    .addOption(
      new Option('--signature-version <version>', 'request signing (SLS_SIGNATURE_VERSION)').choices([
        'v1',
        'v4',
      ]),
    )
    .option('--region <region>', 'the region v4 signatures are scoped to (SLS_REGION)')
    .option('--timeout <seconds>', 'time the whole command may take', seconds, 60)
    .option('--json', 'print one JSON document instead of tables')
    .option('--no-color', 'no colours (also NO_COLOR=1); colours are used only on a terminal')
    .addHelpText('after', `${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}`);
}

function withMoveOptions(command: Command): Command {
  return command
    .option('--consumer <name>', 'write as this consumer: SLS checks it holds the shard (unless --force)')
    .option('--force', 'with --consumer: write even when it does not hold the shard (forceSuccess)')
    .option('-y, --yes', 'do not ask for confirmation');
}

/** The program; every action's exit code is passed to `done`. */
export function buildProgram(ctx: CliContext, done: (code: ExitCode) => void): Command {
  const program = new Command('slscheckpoint')
    .description(
      'Status, seek and set for an SLS consumer group, with the same client and credentials as the functions',
    )
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .exitOverride();
  program.addHelpText('after', EXIT_CODES_HELP);

  withCommonOptions(
    program
      .command('status')
      .description("the group's settings, consumers and per shard the checkpoint, its time, owner and lag"),
  ).action(async (flags: CommonFlags) => done(await statusCommand(flags, ctx)));

  withMoveOptions(
    withCommonOptions(
      program
        .command('seek')
        .description('move shards to begin, end or a point in time (GetCursor, then UpdateCheckPoint)')
        .requiredOption('--from <position>', `where to: ${FROM_RULE.replace(/^must be /, '')}`)
        .option('--shard <id>', 'one shard, or * for every shard of the logstore (read-only ones too)', '*'),
    ),
  ).action(async (flags: MoveFlags & { from: string }) => done(await moveCommand('seek', flags, ctx)));

  withMoveOptions(
    withCommonOptions(
      program
        .command('set')
        .description("set one shard's checkpoint to a cursor")
        .requiredOption('--shard <id>', 'the shard')
        .requiredOption('--checkpoint <cursor>', 'the cursor, as SLS gave it (base64)'),
    ),
  ).action(async (flags: MoveFlags & { checkpoint: string }) => done(await moveCommand('set', flags, ctx)));
  return program;
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(ctx, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here too, with commander's own code 0; its messages are printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      ctx.stderr.write(`${ctx.colors.red(`slscheckpoint: ${error.message}`)}\n`);
      return error.exitCode;
    }
    ctx.stderr.write(
      `slscheckpoint: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.failed;
  }
}
