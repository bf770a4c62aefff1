/**
 * The metric lines the checkpoint function prints, read back as CloudWatch would: names, units,
 * dimensions and values per invocation and per consumer group.
 */
import { describe, expect, it } from 'vitest';
import { createCheckpointHandler } from '../../../src/handlers/checkpoint.ts';
import { SlsNetworkError } from '../../../src/sls/errors.ts';
import type { CredentialsProvider } from '../../../src/sls/types.ts';
import { checkpointConfig } from '../../helpers/configs.ts';
import { capturedMetrics, valuesOf } from '../../helpers/emf.ts';
import { cursor, lambdaContext, sqsEventOf } from '../../helpers/factories.ts';
import { apiError, createFakeClient, recordingLogger } from '../checkpoint/fake-client.ts';

const NOW = Date.UTC(2026, 10, 23, 8, 0, 0);

function setup(level: 'group' | 'function' | 'off' = 'group', credentials?: CredentialsProvider) {
  const client = createFakeClient();
  const metrics = capturedMetrics(level, 'slscheckpoint-prod-checkpoint');
  const fn = createCheckpointHandler({
    config: checkpointConfig(),
    client,
    logger: recordingLogger(),
    now: () => NOW,
    metrics: metrics.scope,
    credentials,
  });
  return { client, metrics, fn };
}

const UNITS = {
  Records: 'Count',
  Applied: 'Count',
  Skipped: 'Count',
  Invalid: 'Count',
  Failed: 'Count',
  Blocked: 'Count',
  Requests: 'Count',
  ReadBacks: 'Count',
  Coalesced: 'Count',
};

describe('checkpoint metrics', () => {
  it('prints the invocation totals under the function, and each group’s records under the group', async () => {
    const s = setup();
    s.client.onUpdate = ({ update, target }) => {
      if (target.consumerGroup === 'other') throw apiError('ShardNotExist', 404);
      if (update.shard === 9) throw apiError('InternalServerError', 500);
    };
    await s.fn(
      sqsEventOf([
        { shard: 0, checkpoint: cursor(1) },
        { shard: 0, checkpoint: cursor(2) },
        'not json',
        { shard: 9, checkpoint: cursor(1) },
        { shard: 1, checkpoint: cursor(1), consumerGroup: 'other' },
      ]),
      lambdaContext(),
    );
    const [totals, ...groups] = s.metrics.records();
    expect(totals?.timestamp).toBe(NOW);
    expect(totals?.dimensionSets).toEqual([['Function']]);
    expect(totals?.dimensions).toEqual({ Function: 'slscheckpoint-prod-checkpoint' });
    expect(Object.fromEntries(Object.entries(totals?.metrics ?? {}).map(([n, m]) => [n, m.unit]))).toEqual(
      UNITS,
    );
    expect(valuesOf(totals)).toEqual({
      Records: 5,
      Applied: 2,
      Skipped: 0,
      Invalid: 1,
      Failed: 2,
      Blocked: 0,
      Requests: 3,
      ReadBacks: 0,
      Coalesced: 1,
    });
    expect(groups.map((g) => [g.dimensionSets, g.dimensions, valuesOf(g)])).toEqual([
      [
        [['Function', 'ConsumerGroup']],
        { Function: 'slscheckpoint-prod-checkpoint', ConsumerGroup: 'proj/store/group' },
        { Records: 3, Applied: 2, Skipped: 0, Failed: 1, Blocked: 0 },
      ],
      [
        [['Function', 'ConsumerGroup']],
        { Function: 'slscheckpoint-prod-checkpoint', ConsumerGroup: 'proj/store/other' },
        { Records: 1, Applied: 0, Skipped: 0, Failed: 1, Blocked: 0 },
      ],
    ]);
    expect(s.metrics.errors).toEqual([]);
  });

  it('counts the read-back after an ambiguous write', async () => {
    const s = setup();
    const original = s.client.updateCheckpoint.bind(s.client);
    s.client.updateCheckpoint = async (target, update, options) => {
      await original(target, update, options);
      throw new SlsNetworkError('connection lost after sending', {
        code: 'NetworkError',
        retryable: true,
        ambiguous: true,
      });
    };
    await s.fn([{ shard: 0, checkpoint: cursor(5) }], lambdaContext());
    expect(valuesOf(s.metrics.records()[0])).toMatchObject({
      Records: 1,
      Applied: 1,
      Requests: 1,
      ReadBacks: 1,
    });
  });

  it('counts every record as failed when the invocation fails before the use case', async () => {
    const broken: CredentialsProvider = {
      get: async () => {
        throw new Error('secret unreadable');
      },
      refresh: async () => {
        throw new Error('secret unreadable');
      },
    };
    const s = setup('group', broken);
    await s.fn(
      sqsEventOf([
        { shard: 0, checkpoint: cursor(1) },
        { shard: 1, checkpoint: cursor(1) },
      ]),
      lambdaContext(),
    );
    const records = s.metrics.records();
    expect(records).toHaveLength(1);
    expect(valuesOf(records[0])).toMatchObject({ Records: 2, Failed: 2, Applied: 0, Requests: 0 });
  });

  it('at level function prints the totals only', async () => {
    const s = setup('function');
    await s.fn(sqsEventOf([{ shard: 0, checkpoint: cursor(1) }]), lambdaContext());
    const records = s.metrics.records();
    expect(records).toHaveLength(1);
    expect(records[0]?.dimensions).toEqual({ Function: 'slscheckpoint-prod-checkpoint' });
  });

  it('prints nothing at level off', async () => {
    const s = setup('off');
    await s.fn(sqsEventOf([{ shard: 0, checkpoint: cursor(1) }]), lambdaContext());
    expect(s.metrics.lines).toEqual([]);
  });
});
