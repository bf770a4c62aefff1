/**
 * Every command the README tells a user to run works as written on this checkout. `npm install`
 * and `npm test` are what CI itself runs; the others are run here, as child processes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ProcessResult, runProcess } from '../helpers/process.ts';

const readme = readFileSync('README.md', 'utf8');

/** Runs an npm command line; `until` ends it (SIGTERM) once the output matches. */
function npm(args: string[], options: { until?: RegExp; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return runProcess('npm', args, { env: { ...process.env, CI: 'true' }, ...options });
}

/** The `npm …` command lines in the README's shell blocks and inline code. */
function documentedCommands(): string[] {
  const lines = new Set<string>();
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      const command = line.replace(/#.*$/, '').trim();
      if (command.startsWith('npm ')) lines.add(command);
    }
  }
  for (const inline of readme.matchAll(/`(npm [a-z][^`]*)`/g)) lines.add(inline[1] ?? '');
  return [...lines];
}

const TESTED = new Set([
  'npm install',
  'npm test',
  'npm start',
  'npm run emulator',
  'npm run emulator -- --port 9000 --shards 4',
  'npm run emulator -- --port 9000 --shards 4 --rtt 250 --jitter 25 --setup 500',
  'npm run bench',
  'npm run bench -- signing',
  'npm run bench -- --rtt 250',
  'npm run build',
  'npm run package',
]);

describe('README commands', () => {
  it('documents only commands this file (or CI) checks', () => {
    expect(documentedCommands().filter((c) => !TESTED.has(c))).toEqual([]);
  });

  it('npm start runs the whole local demo and exits 0', async () => {
    const run = await npm(['start']);
    expect(run.output).toContain('All as expected');
    expect(run.code).toBe(0);
  });

  it('npm run emulator serves until stopped', async () => {
    const run = await npm(['run', 'emulator', '--', '--port', '0', '--shards', '4'], {
      until: /Ctrl-C stops it/,
    });
    expect(run.output).toMatch(/SLS emulator listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('npm run emulator --rtt serves at a distance until stopped', async () => {
    const run = await npm(
      [
        'run',
        'emulator',
        '--',
        '--port',
        '0',
        '--shards',
        '4',
        '--rtt',
        '250',
        '--jitter',
        '25',
        '--setup',
        '500',
      ],
      { until: /Ctrl-C stops it/ },
    );
    expect(run.output).toContain('latency: round trip 250 ms ± 25 ms per half, 500 ms per new connection');
  });

  it('npm run bench -- --rtt runs the distance profile (its checkpoint tables at 5 ms here; 250 ms takes minutes)', async () => {
    const run = await npm(['run', 'bench', '--', '--rtt', '5', 'checkpoint']);
    expect(run.output).toContain('distance profile: SLS at 5 ms round trip');
    expect(run.output).toMatch(/\| 10000 +\| 64 +\| 32 +\| 64 +\| 0 +\| 32 +\|/);
    expect(run.code).toBe(0);
  });

  it('npm run bench runs (one quick benchmark here)', async () => {
    const run = await npm(['run', 'bench', '--', 'signing']);
    expect(run.output).toContain('signatures/s');
    expect(run.code).toBe(0);
  });

  it('npm run build compiles to dist/', async () => {
    try {
      const run = await npm(['run', 'build']);
      expect(run.code, run.output).toBe(0);
      expect(readFileSync('dist/handlers/checkpoint.js', 'utf8')).toContain('createCheckpointHandler');
    } finally {
      rmSync('dist', { recursive: true, force: true });
    }
  });
});
