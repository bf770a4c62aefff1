/**
 * `npm start`: the whole thing, locally, with no cloud account. Starts the SLS emulator and a
 * local Secrets Manager (moto_server) holding a demo key, then runs the real Lambda handlers,
 * configured from the environment exactly as in Lambda: one heartbeat invocation and one
 * SQS-shaped checkpoint batch. Prints what happened, stops everything and exits.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startEmulator } from '../src/emulator/server.ts';
import { startMotoServer } from './local/moto.ts';

const PROJECT = 'demo-project';
const LOGSTORE = 'demo-logstore';
const GROUP = 'demo-group';
const CONSUMER = 'demo-consumer';
const SECRET_ID = 'slscheckpoint/demo';
const SHARDS = 4;
// A throwaway key that exists only inside this run's emulator and local Secrets Manager.
const DEMO_KEY = { accessKeyId: 'LTAIdemoKey0001', accessKeySecret: `demo-${process.pid}-${Date.now()}` };

const cursor = (n: bigint): string => Buffer.from(String(1_763_884_800_000_000_000n + n)).toString('base64');
const say = (line: string): void => console.info(line);

function context(budgetMs: number) {
  const end = Date.now() + budgetMs;
  return {
    awsRequestId: `demo-${Date.now()}`,
    functionName: 'demo',
    getRemainingTimeInMillis: () => end - Date.now(),
  };
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ keys: [DEMO_KEY] });
  emulator.createLogstore(PROJECT, LOGSTORE, SHARDS);
  emulator.createConsumerGroup(PROJECT, LOGSTORE, GROUP, { timeoutSeconds: 60 });
  let moto: Awaited<ReturnType<typeof startMotoServer>> | undefined;
  try {
    moto = await startMotoServer();
    say(
      `SLS emulator on ${emulator.url}: project ${PROJECT}, logstore ${LOGSTORE} (${SHARDS} shards), group ${GROUP}`,
    );
    say(`Local Secrets Manager (moto_server) on ${moto.endpoint}`);

    // Dummy AWS credentials: moto accepts any; nothing leaves this machine.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      SLS_ENDPOINT: emulator.url,
      SLS_PROJECT: PROJECT,
      SLS_LOGSTORE: LOGSTORE,
      SLS_CONSUMER_GROUP: GROUP,
      SLS_CONSUMER: CONSUMER,
      SLS_CREDENTIALS_SECRET_ID: SECRET_ID,
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HEARTBEAT_SAFETY_MARGIN_MS: '300',
      SLS_REQUEST_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'error',
    });
    const secrets = new SecretsManagerClient({});
    await secrets.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: JSON.stringify(DEMO_KEY) }));
    secrets.destroy();
    say(`Stored the demo AccessKey in secret "${SECRET_ID}"\n`);

    // The handlers read their configuration at import, as at a Lambda cold start.
    const heartbeat = await import('../src/handlers/heartbeat.ts');
    const checkpoint = await import('../src/handlers/checkpoint.ts');

    say('1. Heartbeat function (one scheduled invocation with 2.5 s to run, beating every second)');
    const report = await heartbeat.handler(
      { source: 'aws.scheduler', 'detail-type': 'Scheduled Event' },
      context(2_500) as never,
    );
    for (const t of report.targets) {
      say(
        `   consumer ${t.consumer} registered in ${t.consumerGroup}: ${t.beats} beats, ${t.failures} failures`,
      );
      say(`   shards held: [${t.shards.join(', ')}]`);
    }

    say('\n2. Checkpoint function (one SQS batch of 9 records)');
    const bodies: unknown[] = [];
    for (let i = 0n; i < 6n; i++) bodies.push({ shard: Number(i % 3n), checkpoint: cursor(i) });
    bodies.push({ shard: 3, checkpoint: cursor(100n), consumer: CONSUMER });
    bodies.push({ shard: 3, checkpoint: cursor(101n), consumer: CONSUMER });
    bodies.push('{"shard": "two", "checkpoint": "not base64!"}');
    const records = bodies.map((body, i) => ({
      messageId: `demo-message-${i + 1}`,
      receiptHandle: `receipt-${i + 1}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:demo-checkpoints',
      awsRegion: 'us-east-1',
    }));
    const before = emulator.requests.filter((r) => r.operation === 'checkpoint').length;
    const reply = (await checkpoint.handler({ Records: records }, context(10_000) as never)) as {
      batchItemFailures: { itemIdentifier: string }[];
    };
    const sent = emulator.requests.filter((r) => r.operation === 'checkpoint').length - before;
    say(`   ${records.length} records, ${sent} UpdateCheckPoint requests (one per shard)`);
    for (const c of emulator.checkpoints(PROJECT, LOGSTORE, GROUP)) {
      const decoded = c.checkpoint ? Buffer.from(c.checkpoint, 'base64').toString() : '(none)';
      say(`   shard ${c.shard}: checkpoint ${c.checkpoint || '-'} (cursor ${decoded})`);
    }
    const failed = reply.batchItemFailures.map((f) => f.itemIdentifier);
    say(
      `   batchItemFailures: [${failed.join(', ')}] (the malformed record goes back to the queue, then the DLQ)`,
    );

    const ok = report.targets.every((t) => t.beats > 0) && sent === 4 && failed.join() === 'demo-message-9';
    say(
      ok
        ? '\nAll as expected. Stopping the local servers.'
        : '\nSomething did not go as expected (see above).',
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await moto?.stop();
    await emulator.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`local run failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
// Keep-alive sockets of the handlers' module-scope clients must not hold the process open.
setTimeout(() => process.exit(), 200).unref();
