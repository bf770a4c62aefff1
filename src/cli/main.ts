/**
 * The `slscheckpoint` command (see `bin/slscheckpoint.js`): runs the command line against the
 * process's streams and environment and leaves with its exit code. Resources are closed rather
 * than the process exited, so piped output is never cut short.
 */
import pc from 'picocolors';
import { runCli } from './program.ts';

/** Colour only on a terminal (or FORCE_COLOR), never with NO_COLOR or --no-color. */
function useColor(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (argv.includes('--no-color') || argv.includes('--json') || env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return process.stdout.isTTY === true && env.TERM !== 'dumb';
}

const argv = process.argv.slice(2);
process.exitCode = await runCli(argv, {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  colors: pc.createColors(useColor(argv, process.env)),
  now: Date.now,
});
