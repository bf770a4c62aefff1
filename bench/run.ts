/**
 * `npm run bench`: every benchmark in one run, printed as plain tables. Numbers only; nothing
 * here asserts a time. Pass names to run a subset: `npm run bench -- signing checkpoint`.
 *
 * `npm run bench -- --rtt 250` runs the distance profile instead: the same functions against an
 * emulator 250 ms away (`--jitter MS` per half, default a tenth of the round trip; `--setup MS`
 * per new connection, default two round trips); its benchmarks are heartbeat, checkpoint and peer.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchCheckpointThroughput } from './checkpoint-throughput.ts';
import { benchColdStart } from './cold-start.ts';
import { benchCheckpointAtDistance } from './distance/checkpoint.ts';
import { benchHeartbeatAtDistance } from './distance/heartbeat.ts';
import { benchPeerAtDistance } from './distance/peer.ts';
import { type Distance, describeDistance, distanceFrom } from './distance/profile.ts';
import { benchHeartbeat } from './heartbeat.ts';
import { benchMetrics } from './metrics.ts';
import { benchPeer } from './peer.ts';
import { benchSigning } from './signing.ts';

const { values, positionals: wanted } = parseArgs({
  allowPositionals: true,
  options: { rtt: { type: 'string' }, jitter: { type: 'string' }, setup: { type: 'string' } },
});

let distance: Distance | undefined;
try {
  distance = distanceFrom(values);
} catch (error) {
  console.error(`npm run bench: ${(error as Error).message}`);
  process.exit(2);
}

const loopback: Record<string, () => Promise<void>> = {
  'cold-start': benchColdStart,
  checkpoint: benchCheckpointThroughput,
  heartbeat: benchHeartbeat,
  metrics: benchMetrics,
  peer: benchPeer,
  signing: benchSigning,
};
const atDistance = (d: Distance): Record<string, () => Promise<void>> => {
  let ours: Map<number, number> | undefined;
  return {
    heartbeat: () => benchHeartbeatAtDistance(d),
    checkpoint: async () => {
      ours = await benchCheckpointAtDistance(d);
    },
    peer: () => benchPeerAtDistance(d, ours),
  };
};
const all = distance === undefined ? loopback : atDistance(distance);

const unknown = wanted.filter((name) => !(name in all));
if (unknown.length > 0) {
  const profile = distance === undefined ? '' : ' with --rtt';
  console.error(
    `unknown benchmark(s)${profile}: ${unknown.join(', ')}; choose from ${Object.keys(all).join(', ')}`,
  );
  process.exit(2);
}
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.info(`node ${process.version}, ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
if (distance !== undefined) console.info(`distance profile: SLS at ${describeDistance(distance)}`);
for (const [name, run] of Object.entries(all)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
