/**
 * Fresh Node processes, as Lambda starts one per cold start: the time to import a bundle, and one
 * whole cold invocation of it (import, handler, its requests) with what it cost.
 */
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What `import()` takes for a path, relative or not. */
const urlOf = (file: string): string => pathToFileURL(resolve(file)).href;

/**
 * The command that starts Node with `args`: Node itself, or an exec wrapper given Node's path
 * first, as Lambda's bootstrap runs AWS_LAMBDA_EXEC_WRAPPER.
 */
function nodeCommand(args: readonly string[], wrapper: string | undefined): [string, string[]] {
  return wrapper === undefined ? [process.execPath, [...args]] : [wrapper, [process.execPath, ...args]];
}

/** Milliseconds to import `file` in a fresh Node process started with `flags` (through `wrapper`). */
export function importMs(
  file: string,
  env: NodeJS.ProcessEnv,
  flags: readonly string[] = [],
  wrapper?: string,
): number {
  const script = `const t=performance.now();await import(${JSON.stringify(urlOf(file))});process.stdout.write(String(performance.now()-t));`;
  const [command, args] = nodeCommand([...flags, '--input-type=module', '-e', script], wrapper);
  return Number(execFileSync(command, args, { env, encoding: 'utf8' }));
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** What one cold invocation reports. */
export interface ColdRun {
  /** Epoch ms (fractional) when the process started: Node's `performance.timeOrigin`. */
  readonly timeOrigin: number;
  readonly importMs: number;
  /** The first invocation of the handler, from its call to its answer. */
  readonly invokeMs: number;
  /** Peak resident set size of the process, in MB (`process.resourceUsage().maxRSS`). */
  readonly maxRssMB: number;
  /** Records the handler reported as failed (`batchItemFailures`), or the error it threw. */
  readonly failures: number;
  readonly error?: string;
}

const MARK = '@@cold-run ';

/**
 * Imports the bundle, then reads the event, calls the handler once, reports, and exits: in that
 * order, as Lambda's runtime loads the handler (init) before it asks for the first event.
 */
const CHILD = `
import { readFileSync } from 'node:fs';
const [bundle, eventFile, budgetMs] = process.argv.slice(1);
const started = performance.now();
const { handler } = await import(bundle);
const imported = performance.now();
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const called = performance.now();
const end = Date.now() + Number(budgetMs);
const context = { awsRequestId: 'cold-run', functionName: 'bench', getRemainingTimeInMillis: () => end - Date.now() };
let failures = 0, error;
try {
  const reply = await handler(event, context);
  failures = reply?.batchItemFailures?.length ?? 0;
} catch (e) {
  error = String(e?.name) + ': ' + String(e?.message);
}
const done = performance.now();
const report = { timeOrigin: performance.timeOrigin, importMs: imported - started, invokeMs: done - called,
  maxRssMB: process.resourceUsage().maxRSS / 1024, failures, error };
process.stdout.write('\\n${MARK}' + JSON.stringify(report) + '\\n', () => process.exit(0));
`;

export interface ColdRunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly flags?: readonly string[];
  /** An exec wrapper to start Node through (see `deployedExecWrapper`). */
  readonly wrapper?: string | undefined;
  /** A JSON file holding the event. */
  readonly eventFile: string;
  /** The context's remaining time at the start. */
  readonly budgetMs: number;
}

/**
 * One cold invocation of `bundle` in a fresh process. Asynchronous, so servers in this process
 * (the emulator) keep answering it.
 */
export function coldRun(bundle: string, options: ColdRunOptions): Promise<ColdRun> {
  const [command, args] = nodeCommand(
    [
      ...(options.flags ?? []),
      '--input-type=module',
      '-e',
      CHILD,
      urlOf(bundle),
      options.eventFile,
      String(options.budgetMs),
    ],
    options.wrapper,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      // Log lines are many with large batches: keep the tail, where the report is.
      output = (output + chunk.toString()).slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || line === undefined) {
        reject(new Error(`cold run of ${bundle} exited with ${code}:\n${output.slice(-3_000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(MARK.length)) as ColdRun);
    });
  });
}
