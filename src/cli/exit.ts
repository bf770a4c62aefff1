/** The CLI's exit codes (documented in `--help` and the README) and the error that carries one. */

export const EXIT = {
  /** Done: every checkpoint landed, or the whole status was read. */
  ok: 0,
  /** SLS (or the network) failed it: a checkpoint did not land, or some of the status could not be read. */
  failed: 1,
  /** The command line is wrong: an unknown command or option, a bad value. */
  usage: 2,
  /** A seek or set was not confirmed (answered no, or no answer on standard input). */
  notConfirmed: 3,
  /** The configuration or the credentials cannot be used: a missing endpoint or name, an unreadable secret. */
  config: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr before exiting with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  done: every checkpoint landed, or the whole status was read
  1  SLS or the network failed it: a checkpoint did not land, or part of the status could not be read
  2  usage: an unknown command or option, or a bad value
  3  not confirmed (answered no, or nothing on standard input; pass --yes in scripts)
  4  configuration or credentials: a missing endpoint or name, an unreadable secret`;
