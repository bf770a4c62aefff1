/**
 * The peer: a naive checkpoint function on the official `@alicloud/sls20201230`
 * (bench/peer/naive-checkpoint.ts: one UpdateCheckPoint per record, in order) next to ours, both
 * bundled by esbuild and run cold in fresh processes against the same moto_server and emulator:
 * import time, and one invocation with 10,000 records over 64 shards (an SQS batch).
 */
import { rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { EMULATOR_DOMAIN } from '../test/conformance/loopback.ts';
import { checkpointBatch, SHARDS, startColdServices } from './cold-services.ts';
import { buildAsDeployed, esbuildOptionsOf, outputBundle } from './deploy-build.ts';
import { type ColdRun, coldRun, importMs, median } from './fresh-process.ts';
import { benchDir, deployedExecWrapper, deployedNodeFlags, processFlags } from './lambda-process.ts';
import { printTable } from './table.ts';
import { todayPluginOptions } from './today.ts';

const IMPORT_RUNS = 21;
const RECORDS = 10_000;
const PEER_ENTRY = 'bench/peer/naive-checkpoint.ts';
const LOOPBACK = pathToFileURL(resolve(import.meta.dirname, 'peer', 'loopback.ts')).href;

/**
 * The peer as its author would bundle it: our shared definition without the switches that fit
 * only our code (they drop the SDK defaults the peer relies on), lz4-napi (a native addon of the
 * SDK) left as a package.
 */
async function buildPeer(outdir: string): Promise<string> {
  const options = esbuildOptionsOf(todayPluginOptions());
  const result = await build({
    ...options,
    external: [...(options.external ?? []), 'lz4-napi'],
    logLevel: 'error',
    entryPoints: [PEER_ENTRY],
    outdir,
    metafile: true,
  });
  return outputBundle(result, PEER_ENTRY);
}

export async function benchPeer(): Promise<void> {
  const dir = benchDir('peer');
  const services = await startColdServices();
  try {
    const ours = {
      file: await buildAsDeployed('src/handlers/checkpoint.ts', join(dir, 'ours')),
      flags: processFlags(deployedNodeFlags()),
      wrapper: deployedExecWrapper(),
    };
    const peer = { file: await buildPeer(join(dir, 'peer')), flags: processFlags([]), wrapper: undefined };
    const imports = { ours: [] as number[], peer: [] as number[] };
    for (let i = 0; i < IMPORT_RUNS; i++) {
      imports.ours.push(importMs(ours.file, services.env, ours.flags, ours.wrapper));
      imports.peer.push(importMs(peer.file, services.env, peer.flags, peer.wrapper));
    }

    const eventFile = services.eventFile('peer-batch', checkpointBatch(RECORDS));
    const updates = () => services.emulator.requests.filter((r) => r.operation === 'checkpoint').length;
    const invoke = async (
      { file, flags, wrapper }: { file: string; flags: string[]; wrapper: string | undefined },
      env: NodeJS.ProcessEnv,
    ): Promise<ColdRun> => {
      services.emulator.clearRequests();
      const run = await coldRun(file, { env, flags, wrapper, eventFile, budgetMs: 600_000 });
      if (run.error !== undefined || run.failures > 0) throw new Error(`${file}: ${JSON.stringify(run)}`);
      return run;
    };
    const oursRun = await invoke(ours, services.env);
    const oursUpdates = updates();
    const peerRun = await invoke(
      { ...peer, flags: ['--import', LOOPBACK, ...peer.flags] },
      {
        ...services.env,
        PEER_SLS_ENDPOINT: `${EMULATOR_DOMAIN}:${new URL(services.emulator.url).port}`,
      },
    );
    const peerUpdates = updates();

    const row = (measure: string, a: number, b: number, digits = 1) => ({
      measure,
      slscheckpoint: a.toFixed(digits),
      'naive peer': b.toFixed(digits),
      'peer / ours': `${(b / a).toFixed(2)}x`,
    });
    printTable(
      `Peer: a naive checkpoint function on @alicloud/sls20201230 (one UpdateCheckPoint per record, in order), cold, against the same emulator; ${RECORDS} records over ${SHARDS} shards`,
      [
        row('bundle KB', statSync(ours.file).size / 1000, statSync(peer.file).size / 1000),
        row(`import ms (median of ${IMPORT_RUNS})`, median(imports.ours), median(imports.peer)),
        row(`${RECORDS} records: invocation ms`, oursRun.invokeMs, peerRun.invokeMs, 0),
        row('UpdateCheckPoint requests', oursUpdates, peerUpdates, 0),
        row('peak RSS MB', oursRun.maxRssMB, peerRun.maxRssMB),
      ],
    );
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
