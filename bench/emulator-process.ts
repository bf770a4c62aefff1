/**
 * The emulator in a process of its own (the `npm run emulator` entry point), so a benchmark's CPU
 * figures count only the code under test, and the emulator's CLI flags are what it uses.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface EmulatorProcess {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  stop(): void;
}

/** Starts `src/emulator/main.ts` with `args` (on a free port) and the AccessKey secret `secret`. */
export async function startEmulatorProcess(
  args: readonly string[],
  secret: string,
): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, ['src/emulator/main.ts', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SLS_EMULATOR_ACCESS_KEY_SECRET: secret },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}
