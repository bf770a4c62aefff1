/**
 * Cold start: each function bundled exactly as it ships (bench/deploy-build.ts: the options of
 * serverless-esbuild.json, which serverless.yml deploys with), its size, and the median time to
 * import it in a fresh Node process next to an empty handler, with `--enable-source-maps` as in
 * Lambda (serverless.yml sets it in NODE_OPTIONS) and without.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAsDeployed } from './deploy-build.ts';
import { printTable } from './table.ts';

const RUNS = 21;

/** Milliseconds to import `file` in a fresh Node process started with `flags`. */
export function importMs(file: string, env: NodeJS.ProcessEnv, flags: readonly string[] = []): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  return Number(
    execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
      env,
      encoding: 'utf8',
    }),
  );
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

export async function benchColdStart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slscheckpoint-cold-'));
  try {
    const emptyEntry = join(dir, 'empty.ts');
    writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');
    const bundles = [
      { name: 'empty handler', entry: emptyEntry },
      { name: 'heartbeat', entry: 'src/handlers/heartbeat.ts' },
      { name: 'checkpoint', entry: 'src/handlers/checkpoint.ts' },
    ].map((b) => ({ ...b, file: '', size: 0, times: [] as number[], mapTimes: [] as number[] }));
    for (const b of bundles) {
      b.file = await buildAsDeployed(b.entry, join(dir, b.name.replace(/\s/g, '-')));
      b.size = statSync(b.file).size;
    }

    // Module scope parses the environment at import, as in Lambda; these values are never used.
    const env = {
      ...process.env,
      AWS_REGION: 'us-east-1',
      SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com',
      SLS_PROJECT: 'bench-project',
      SLS_LOGSTORE: 'bench-logstore',
      SLS_CONSUMER_GROUP: 'bench-group',
      SLS_CONSUMER: 'bench-consumer',
      SLS_CREDENTIALS_SECRET_ID: 'bench-secret',
    };
    // Interleaved so machine noise hits every bundle alike.
    for (let i = 0; i < RUNS; i++) {
      for (const b of bundles) {
        b.times.push(importMs(b.file, env, []));
        b.mapTimes.push(importMs(b.file, env, ['--enable-source-maps']));
      }
    }

    const empty = median(bundles[0]?.mapTimes ?? []);
    printTable(
      `Cold start (the deployed bundles: serverless-esbuild.json; median of ${RUNS} fresh-process imports)`,
      bundles.map((b) => ({
        bundle: b.name,
        'size KB': (b.size / 1000).toFixed(1),
        'import ms, as deployed (--enable-source-maps)': median(b.mapTimes).toFixed(1),
        'import ms, no source maps': median(b.times).toFixed(1),
        'goal: < 300 KB and < 1.5x empty + 60 ms':
          b.name === 'empty handler' ? '' : goal(b.size, median(b.mapTimes), empty),
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function goal(size: number, ms: number, empty: number): string {
  const limit = 1.5 * empty + 60;
  return `${size < 300_000 ? 'size ok' : 'size over'}, ${ms < limit ? 'import ok' : 'import over'} (limit ${limit.toFixed(0)} ms)`;
}
