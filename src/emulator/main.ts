/**
 * `npm run emulator`: runs the local SLS emulator in the foreground for people, seeded with one
 * project, logstore and consumer group, until Ctrl-C. `--rtt` (with `--jitter`, `--setup`) puts
 * it at a distance, as a real endpoint in another region would be.
 */
import { parseArgs } from 'node:util';
import { type Latency, latencyProblem } from './latency.ts';
import { startEmulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SLS_EMULATOR_PORT ?? '9000' },
    project: { type: 'string', default: 'demo-project' },
    logstore: { type: 'string', default: 'demo-logstore' },
    shards: { type: 'string', default: '4' },
    group: { type: 'string', default: 'demo-group' },
    timeout: { type: 'string', default: '60' },
    region: { type: 'string', default: 'cn-hangzhou' },
    'write-rate': { type: 'string', default: '0' },
    rtt: { type: 'string', default: '0' },
    jitter: { type: 'string', default: '0' },
    setup: { type: 'string', default: '0' },
    'access-key-id': {
      type: 'string',
      default: process.env.SLS_EMULATOR_ACCESS_KEY_ID ?? 'LTAIdemoAccessKey',
    },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.info(
    'usage: npm run emulator -- [--port 9000] [--project demo-project] [--logstore demo-logstore] [--shards 4]\n' +
      '                           [--group demo-group] [--timeout 60] [--region cn-hangzhou] [--access-key-id ID]\n' +
      '                           [--write-rate 0]  (log groups each shard receives per second)\n' +
      '                           [--rtt MS] [--jitter MS] [--setup MS]\n' +
      'The AccessKey secret is read from SLS_EMULATOR_ACCESS_KEY_SECRET (default: demo-secret-not-for-production).\n' +
      '--rtt adds a round trip to every request (half before it is applied, half before the reply), each half\n' +
      'varying by up to --jitter; --setup is added once per new connection (TCP and TLS handshakes). All 0 by default.',
  );
  process.exit(0);
}

const latency: Latency = {
  rttMs: Number(values.rtt),
  jitterMs: Number(values.jitter),
  setupMs: Number(values.setup),
};
const latencyIssue = latencyProblem(latency);
if (latencyIssue !== undefined) {
  console.error(`npm run emulator: ${latencyIssue.replace(/(rtt|jitter|setup)Ms/g, '--$1')}`);
  process.exit(2);
}
const distant = latency.rttMs > 0 || (latency.setupMs ?? 0) > 0;

const secret = process.env.SLS_EMULATOR_ACCESS_KEY_SECRET ?? 'demo-secret-not-for-production';
const emulator = await startEmulator({
  port: Number(values.port),
  region: values.region,
  writeRate: Number(values['write-rate']),
  keys: [{ accessKeyId: values['access-key-id'], accessKeySecret: secret }],
  latency: distant ? latency : undefined,
});
emulator.createLogstore(values.project, values.logstore, Number(values.shards));
emulator.createConsumerGroup(values.project, values.logstore, values.group, {
  timeoutSeconds: Number(values.timeout),
});

console.info(
  `SLS emulator listening on ${emulator.url}\n` +
    `  project ${values.project}, logstore ${values.logstore} (${values.shards} shards, ` +
    `${values['write-rate']} log groups/s each), ` +
    `consumer group ${values.group} (timeout ${values.timeout} s)\n` +
    `  AccessKey id ${values['access-key-id']} (secret from SLS_EMULATOR_ACCESS_KEY_SECRET or the demo default)\n` +
    `  signatures: v1 (hmac-sha1, hmac-sha256) and v4 scoped to region ${emulator.region}\n` +
    (distant
      ? `  latency: round trip ${latency.rttMs} ms ± ${latency.jitterMs} ms per half, ${latency.setupMs} ms per new connection\n`
      : '') +
    `  use SLS_ENDPOINT=${emulator.url} (with v4 also SLS_REGION=${emulator.region}); Ctrl-C stops it`,
);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
