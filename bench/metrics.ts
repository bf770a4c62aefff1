/**
 * Metrics: `@aws-lambda-powertools/metrics` against our own EMF writer (src/metrics/emf.ts), each
 * bundled as the functions ship (the deploy's esbuild options: bench/deploy-build.ts). Bundle
 * size, import time in a fresh process, and the CPU cost of one record as a heartbeat round
 * writes it (2 dimensions, 5 metrics), with stdout going nowhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { deployEsbuildOptions } from './deploy-build.ts';
import { importMs, median } from './fresh-process.ts';
import { printTable } from './table.ts';

const RUNS = 21;
const PUBLISHES = 20_000;
const ROOT = resolve(import.meta.dirname, '..');

/** Handlers that each publish one heartbeat-round record per call. */
const ENTRIES: Record<string, string> = {
  'empty handler': 'export const handler = async () => ({});',
  '@aws-lambda-powertools/metrics 2.36.0': `
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
const metrics = new Metrics({ namespace: 'Bench', serviceName: 'bench' });
export const handler = async () => {
  metrics.addDimensions({ Function: 'fn', ConsumerGroup: 'project/logstore/group' });
  metrics.addMetric('Beats', MetricUnit.Count, 1);
  metrics.addMetric('FailedBeats', MetricUnit.Count, 0);
  metrics.addMetric('ReRegistrations', MetricUnit.Count, 0);
  metrics.addMetric('ShardsHeld', MetricUnit.Count, 4);
  metrics.addMetric('LongestBeatGap', MetricUnit.Seconds, 20);
  metrics.publishStoredMetrics();
};`,
  'own EMF writer (src/metrics/emf.ts)': `
import { emfSink } from './src/metrics/emf.ts';
const sink = emfSink({ namespace: 'Bench' });
export const handler = async () => {
  sink.publish({
    timestamp: Date.now(),
    dimensions: { Function: 'fn', ConsumerGroup: 'project/logstore/group' },
    metrics: [
      { name: 'Beats', unit: 'Count', value: 1 },
      { name: 'FailedBeats', unit: 'Count', value: 0 },
      { name: 'ReRegistrations', unit: 'Count', value: 0 },
      { name: 'ShardsHeld', unit: 'Count', value: 4 },
      { name: 'LongestBeatGap', unit: 'Seconds', value: 20 },
    ],
  });
};`,
};

async function bundleSource(contents: string, outfile: string): Promise<number> {
  await build({
    ...deployEsbuildOptions(),
    stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    outfile,
  });
  return statSync(outfile).size;
}

/** µs per handler call, warm, in a fresh process whose stdout is discarded. */
function publishMicros(file: string, env: NodeJS.ProcessEnv): number {
  const script = `const m=await import(${JSON.stringify(file)});for(let i=0;i<1000;i++)await m.handler();const t=performance.now();for(let i=0;i<${PUBLISHES};i++)await m.handler();process.stderr.write(String((performance.now()-t)*1000/${PUBLISHES}));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (run.status !== 0) throw new Error(`publishing with ${file} failed: ${run.stderr}`);
  return Number(run.stderr);
}

export async function benchMetrics(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slscheckpoint-metrics-'));
  try {
    const bundles = await Promise.all(
      Object.entries(ENTRIES).map(async ([name, contents], i) => {
        const file = join(dir, `entry-${i}.mjs`);
        return { name, file, size: await bundleSource(contents, file), times: [] as number[] };
      }),
    );
    // Powertools writes nothing outside Lambda in dev mode; make sure it does write here.
    const env = { ...process.env, POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_DEV: 'false' };
    for (let i = 0; i < RUNS; i++) for (const b of bundles) b.times.push(importMs(b.file, env));
    const empty = median(bundles[0]?.times ?? []);
    printTable(
      `Metrics library cost (esbuild minified ESM; import: median of ${RUNS} fresh processes; publish: one 5-metric record, mean of ${PUBLISHES})`,
      bundles.map((b, i) => ({
        bundle: b.name,
        'size KB': (b.size / 1000).toFixed(1),
        'import ms (median)': median(b.times).toFixed(1),
        'over empty ms': i === 0 ? '' : (median(b.times) - empty).toFixed(1),
        'publish µs': i === 0 ? '' : publishMicros(b.file, env).toFixed(1),
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
