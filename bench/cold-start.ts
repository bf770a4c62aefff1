/**
 * Cold start: each function bundled exactly as it ships (bench/deploy-build.ts: the options of
 * serverless-esbuild.json, which serverless.yml deploys with) next to the same function as it
 * shipped before issue 15 ("today", rebuilt in this run: bench/today.ts), each run in fresh Node
 * processes started as Lambda starts them (through serverless.yml's exec wrapper, with its
 * NODE_OPTIONS and the runtime's heap limits: bench/lambda-process.ts). Three tables:
 *
 * 1. bundle size and import time (median of many fresh processes, interleaved), with the ratio
 *    to today, as deployed and with equal flags on both sides;
 * 2. process start to the first SLS request of a cold invocation, its Secrets Manager read
 *    included (moto_server and the SLS emulator on 127.0.0.1);
 * 3. peak RSS of one cold invocation of the checkpoint function at SQS batches of 10 to 10,000
 *    (median and highest of a few runs), next to an empty handler given the same event, and to
 *    the same function started without the exec wrapper.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ColdServices, checkpointBatch, startColdServices } from './cold-services.ts';
import { buildAsDeployed } from './deploy-build.ts';
import { type ColdRun, coldRun, importMs, median } from './fresh-process.ts';
import {
  benchDir,
  deployedExecWrapper,
  deployedNodeFlags,
  lambdaHeapFlags,
  memorySizeMb,
  processFlags,
  RUNTIME_NODE_ARGS,
} from './lambda-process.ts';
import { printTable } from './table.ts';
import { buildAsToday, TODAY_NODE_FLAGS } from './today.ts';

const IMPORT_RUNS = 21;
const FIRST_REQUEST_RUNS = 7;
const BATCHES = [10, 100, 1_000, 10_000];
const RSS_LIMIT_MB = 128;
const RSS_RUNS = 3;
const SOURCE_MAPS = '--enable-source-maps';

interface Bundle {
  readonly name: string;
  readonly entry: 'heartbeat' | 'checkpoint' | 'empty';
  readonly today: boolean;
  readonly file: string;
  /** Node flags as deployed (NODE_OPTIONS), without the runtime's heap limits. */
  readonly nodeFlags: readonly string[];
  /** The exec wrapper it is deployed with, if any. */
  readonly wrapper: string | undefined;
}

const fmt = (ms: number) => ms.toFixed(1);
/**
 * The median of each round's ratio: a round measures both sides back to back, so a slow moment of
 * this shared machine weighs on both sides of a ratio rather than on one side of two medians.
 */
const pairedRatio = (ours: readonly number[], theirs: readonly number[]) =>
  median(ours.map((t, i) => t / (theirs[i] ?? Number.NaN))).toFixed(2);
/** The baseline ("today") build of `b`'s function, if it has one. */
const todayOf = (bundles: readonly Bundle[], b: Bundle) =>
  bundles.find((t) => t.today && t.entry === b.entry);
const kb = (file: string) => (statSync(file).size / 1000).toFixed(1);

async function buildBundles(dir: string): Promise<Bundle[]> {
  const empty = join(dir, 'empty.ts');
  writeFileSync(empty, 'export const handler = async () => ({});\n');
  const deployed = { nodeFlags: deployedNodeFlags(), wrapper: deployedExecWrapper() };
  const today = { nodeFlags: TODAY_NODE_FLAGS, wrapper: undefined };
  const bundles: Bundle[] = [{ name: 'empty handler', entry: 'empty', today: false, ...deployed, file: '' }];
  for (const entry of ['heartbeat', 'checkpoint'] as const) {
    bundles.push({ name: `${entry}, today`, entry, today: true, ...today, file: '' });
    bundles.push({ name: entry, entry, today: false, ...deployed, file: '' });
  }
  return Promise.all(
    bundles.map(async (b) => {
      const source = b.entry === 'empty' ? empty : `src/handlers/${b.entry}.ts`;
      const out = join(dir, b.today ? 'today' : 'now');
      return { ...b, file: await (b.today ? buildAsToday(source, out) : buildAsDeployed(source, out)) };
    }),
  );
}

type Variant = 'deployed' | 'maps' | 'none';
const VARIANTS: readonly Variant[] = ['deployed', 'maps', 'none'];

/** As deployed, with source maps, without: each with the runtime's heap limits. */
const variantFlags = (b: Bundle, variant: Variant): string[] =>
  processFlags(variant === 'deployed' ? b.nodeFlags : variant === 'maps' ? [SOURCE_MAPS] : []);

function importTable(bundles: readonly Bundle[], env: NodeJS.ProcessEnv): void {
  const times = new Map(
    bundles.map((b) => [b, { deployed: [] as number[], maps: [] as number[], none: [] as number[] }]),
  );
  // Interleaved, so machine noise falls on every bundle alike.
  for (let i = 0; i < IMPORT_RUNS; i++) {
    for (const b of bundles) {
      for (const variant of VARIANTS)
        times.get(b)?.[variant].push(importMs(b.file, env, variantFlags(b, variant), b.wrapper));
    }
  }
  const med = (b: Bundle | undefined, key: Variant) => median((b && times.get(b)?.[key]) ?? []);
  const ratio = (b: Bundle, today: Bundle | undefined, key: Variant) =>
    today === undefined ? '' : pairedRatio(times.get(b)?.[key] ?? [], times.get(today)?.[key] ?? []);
  printTable(
    `Cold start: import of each deployed bundle (median of ${IMPORT_RUNS} fresh processes, ratios the median of the rounds' ratios, with the runtime's ${RUNTIME_NODE_ARGS.join(' ')} and heap limits; today = before issue 15, rebuilt in this run, NODE_OPTIONS=${TODAY_NODE_FLAGS.join(' ')}; now: through the exec wrapper, NODE_OPTIONS=${deployedNodeFlags().join(' ') || '(none)'})`,
    bundles.map((b) => {
      const today = todayOf(bundles, b);
      return {
        bundle: b.name,
        'size KB': kb(b.file),
        'map KB': kb(`${b.file}.map`),
        'import ms, as deployed': fmt(med(b, 'deployed')),
        'ratio to today': ratio(b, today, 'deployed'),
        [`ms with ${SOURCE_MAPS}`]: fmt(med(b, 'maps')),
        'ms without': fmt(med(b, 'none')),
        'ratio, both without': ratio(b, today, 'none'),
      };
    }),
  );
}

async function firstRequestTable(bundles: readonly Bundle[], services: ColdServices): Promise<void> {
  const events = {
    heartbeat: services.eventFile('scheduled', {}),
    checkpoint: services.eventFile('one-record', checkpointBatch(1)),
  };
  const functions = bundles.filter((b) => b.entry !== 'empty');
  const runs = new Map(
    functions.map((b) => [b, [] as { first: number; importMs: number; invokeMs: number }[]]),
  );
  for (let i = 0; i < FIRST_REQUEST_RUNS; i++) {
    for (const b of functions) {
      services.emulator.clearRequests();
      const run = await coldRun(b.file, {
        env: services.env,
        flags: processFlags(b.nodeFlags),
        wrapper: b.wrapper,
        eventFile: events[b.entry as 'heartbeat' | 'checkpoint'],
        // The heartbeat beats once: the next round would not fit.
        budgetMs: b.entry === 'heartbeat' ? 9_000 : 30_000,
      });
      const first = services.emulator.requests[0];
      if (run.error !== undefined || run.failures > 0 || first?.status !== 200) {
        throw new Error(`${b.name}: the cold invocation did not succeed: ${JSON.stringify({ run, first })}`);
      }
      runs
        .get(b)
        ?.push({ first: first.time - run.timeOrigin, importMs: run.importMs, invokeMs: run.invokeMs });
    }
  }
  const med = (b: Bundle | undefined, key: 'first' | 'importMs' | 'invokeMs') =>
    median(((b && runs.get(b)) ?? []).map((r) => r[key]));
  printTable(
    `Cold invocation to the first SLS request, Secrets Manager read included (moto_server and the SLS emulator on 127.0.0.1; median of ${FIRST_REQUEST_RUNS}, ratio the median of the rounds' ratios)`,
    functions.map((b) => {
      const today = todayOf(functions, b);
      return {
        bundle: b.name,
        'process start to first SLS request ms': fmt(med(b, 'first')),
        'ratio to today':
          b.today || today === undefined
            ? ''
            : pairedRatio(
                (runs.get(b) ?? []).map((r) => r.first),
                (runs.get(today) ?? []).map((r) => r.first),
              ),
        'of which import ms': fmt(med(b, 'importMs')),
        'first invocation ms': fmt(med(b, 'invokeMs')),
      };
    }),
  );
}

async function rssTable(bundles: readonly Bundle[], services: ColdServices): Promise<void> {
  const now = bundles.find((b) => b.entry === 'checkpoint' && !b.today);
  const today = bundles.find((b) => b.entry === 'checkpoint' && b.today);
  const empty = bundles.find((b) => b.entry === 'empty');
  if (now === undefined || today === undefined || empty === undefined) throw new Error('bundles missing');
  const peak = async (b: Bundle, flags: string[], eventFile: string, wrapper: string | undefined) => {
    const run = await coldRun(b.file, { env: services.env, flags, wrapper, eventFile, budgetMs: 30_000 });
    if (run.error !== undefined || run.failures > 0) {
      throw new Error(`${b.name}: the batch did not land: ${JSON.stringify(run)}`);
    }
    return run;
  };
  const rows: Record<string, unknown>[] = [];
  for (const records of BATCHES) {
    const eventFile = services.eventFile(`batch-${records}`, checkpointBatch(records));
    const runs = {
      now: [] as ColdRun[],
      today: [] as ColdRun[],
      nodeDefaults: [] as ColdRun[],
      noWrapper: [] as ColdRun[],
      empty: [] as ColdRun[],
    };
    // Several runs: when V8 collects decides the peak, which moves by some MB from run to run.
    for (let i = 0; i < RSS_RUNS; i++) {
      runs.now.push(await peak(now, processFlags(now.nodeFlags), eventFile, now.wrapper));
      runs.today.push(await peak(today, processFlags(today.nodeFlags), eventFile, today.wrapper));
      // The runtime's arguments without its heap limits.
      runs.nodeDefaults.push(
        await peak(now, [...now.nodeFlags, ...RUNTIME_NODE_ARGS], eventFile, now.wrapper),
      );
      runs.noWrapper.push(await peak(now, processFlags(now.nodeFlags), eventFile, undefined));
      runs.empty.push(await peak(empty, processFlags(empty.nodeFlags), eventFile, empty.wrapper));
    }
    const rss = (list: ColdRun[]) => median(list.map((r) => r.maxRssMB));
    const worst = Math.max(...runs.now.map((r) => r.maxRssMB));
    rows.push({
      records,
      'event MB': (statSync(eventFile).size / 1e6).toFixed(2),
      'empty handler MB': rss(runs.empty).toFixed(1),
      'today MB': rss(runs.today).toFixed(1),
      'now MB': rss(runs.now).toFixed(1),
      'now, highest MB': worst.toFixed(1),
      [`< ${RSS_LIMIT_MB} MB`]: worst < RSS_LIMIT_MB ? 'yes' : 'NO',
      'now, no exec wrapper MB': rss(runs.noWrapper).toFixed(1),
      "now, Node's default heap MB": rss(runs.nodeDefaults).toFixed(1),
      'invocation ms (now)': median(runs.now.map((r) => r.invokeMs)).toFixed(0),
    });
  }
  printTable(
    `Peak RSS of one cold checkpoint invocation, by SQS batch size (median and highest of ${RSS_RUNS} runs; the runtime's node arguments for ${memorySizeMb()} MB: ${[...RUNTIME_NODE_ARGS, ...lambdaHeapFlags(memorySizeMb(), [])].join(' ')}; now: through the exec wrapper)`,
    rows,
  );
}

export async function benchColdStart(): Promise<void> {
  const dir = benchDir('cold-start');
  const services = await startColdServices();
  try {
    const bundles = await buildBundles(dir);
    importTable(bundles, services.env);
    await firstRequestTable(bundles, services);
    await rssTable(bundles, services);
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
