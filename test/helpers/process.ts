/** Runs a child process to its end, collecting stdout and stderr together. */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  /** Standard output and error together, as they came. */
  readonly output: string;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL, with everything it started) after this long; the result then has code null. */
  readonly timeoutMs?: number;
  /** Ended (SIGTERM, with everything it started) once the output matches: for servers. */
  readonly until?: RegExp;
  /** Written to its standard input, which is then closed; without it, stdin is /dev/null. */
  readonly input?: string;
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a stop reaches what it started too (npm runs scripts in a
    // shell that runs node): no grandchild is left running.
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    const stop = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    let output = '';
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => stop('SIGKILL'), options.timeoutMs ?? 60_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.until?.test(output)) stop('SIGTERM');
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      collect(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      collect(chunk);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout, stderr });
    });
  });
}
