/**
 * `npm run bench`: every benchmark in one run, printed as plain tables. Numbers only; nothing
 * here asserts a time. Pass names to run a subset: `npm run bench -- signing checkpoint`.
 */
import { cpus, totalmem } from 'node:os';
import { benchCheckpointThroughput } from './checkpoint-throughput.ts';
import { benchColdStart } from './cold-start.ts';
import { benchHeartbeat } from './heartbeat.ts';
import { benchMetrics } from './metrics.ts';
import { benchPeer } from './peer.ts';
import { benchSigning } from './signing.ts';

const all: Record<string, () => Promise<void>> = {
  'cold-start': benchColdStart,
  checkpoint: benchCheckpointThroughput,
  heartbeat: benchHeartbeat,
  metrics: benchMetrics,
  peer: benchPeer,
  signing: benchSigning,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in all));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(all).join(', ')}`);
  process.exit(2);
}
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.info(`node ${process.version}, ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
for (const [name, run] of Object.entries(all)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
