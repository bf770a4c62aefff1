/**
 * The peer: a checkpoint function as one would first write it on the official SDK,
 * `@alicloud/sls20201230`, reading the same secret with the AWS SDK's default client, then
 * sending one UpdateCheckPoint per record, in order. Bundled and run like ours (bench/peer.ts);
 * never deployed. `PEER_SLS_ENDPOINT` is the endpoint without a scheme, as the SDK takes it.
 */
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Sls from '@alicloud/sls20201230';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const secrets = new SecretsManagerClient({});
let client: InstanceType<typeof Sls.default> | undefined;

async function slsClient(): Promise<InstanceType<typeof Sls.default>> {
  if (client === undefined) {
    const secret = await secrets.send(
      new GetSecretValueCommand({ SecretId: env('SLS_CREDENTIALS_SECRET_ID') }),
    );
    const key = JSON.parse(secret.SecretString ?? '{}') as { accessKeyId: string; accessKeySecret: string };
    client = new Sls.default(
      new $OpenApiUtil.Config({
        accessKeyId: key.accessKeyId,
        accessKeySecret: key.accessKeySecret,
        endpoint: env('PEER_SLS_ENDPOINT'),
        protocol: 'HTTP',
      }),
    );
  }
  return client;
}

/**
 * The peer's whole method: one UpdateCheckPoint per record, awaited in turn. Also what the
 * distance bench (bench/distance/peer.ts) times, so both benchmarks measure the same peer.
 */
export async function updateEachRecord(
  sls: InstanceType<typeof Sls.default>,
  group: { readonly project: string; readonly logstore: string; readonly consumerGroup: string },
  event: { readonly Records: readonly Pick<SQSRecord, 'messageId' | 'body'>[] },
): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      const { shard, checkpoint } = JSON.parse(record.body) as { shard: number; checkpoint: string };
      await sls.consumerGroupUpdateCheckPoint(
        group.project,
        group.logstore,
        group.consumerGroup,
        new Sls.ConsumerGroupUpdateCheckPointRequest({ shard, checkpoint, forceSuccess: true }),
      );
    } catch {
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> =>
  updateEachRecord(
    await slsClient(),
    { project: env('SLS_PROJECT'), logstore: env('SLS_LOGSTORE'), consumerGroup: env('SLS_CONSUMER_GROUP') },
    event,
  );
