import { beforeEach, describe, expect, it } from 'vitest';
import { EmulatorError, SlsModel } from '../../../src/emulator/model.ts';

const P = 'p1';
const L = 'store';
const G = 'group';
let model: SlsModel;

beforeEach(() => {
  model = new SlsModel();
  model.createLogstore(P, L, 6);
  model.createConsumerGroup(P, L, G, { timeoutSeconds: 60 });
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EmulatorError) return `${e.status} ${e.code}`;
    throw e;
  }
  return 'ok';
}

const beat = (consumer: string, held: number[], now: number) => model.heartbeat(P, L, G, consumer, held, now);

describe('assignment', () => {
  it('gives every shard to a lone consumer', () => {
    expect(beat('a', [], 0)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('balances among live consumers, moving a shard only after its holder lets go', () => {
    expect(beat('a', [], 0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(beat('a', [0, 1, 2, 3, 4, 5], 1)).toEqual([0, 1, 2, 3, 4, 5]);
    // b joins: a must give up three shards, but it still reports holding all six.
    expect(beat('b', [], 2)).toEqual([]);
    expect(beat('a', [0, 1, 2, 3, 4, 5], 3)).toEqual([0, 1, 2]);
    expect(beat('b', [], 4)).toEqual([]);
    // a stops reporting 3..5: now b gets them.
    expect(beat('a', [0, 1, 2], 5)).toEqual([0, 1, 2]);
    expect(beat('b', [], 6)).toEqual([3, 4, 5]);
    expect(model.consumers(P, L, G).map((c) => c.assigned)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('splits an odd count floor/ceil and never assigns a shard twice', () => {
    model.createLogstore(P, 'odd', 5);
    model.createConsumerGroup(P, 'odd', G, { timeoutSeconds: 60 });
    for (let round = 0; round < 4; round++) {
      for (const c of ['a', 'b', 'c']) {
        const held = model.consumers(P, 'odd', G).find((v) => v.name === c)?.assigned ?? [];
        model.heartbeat(P, 'odd', G, c, held, round * 10);
      }
    }
    const views = model.consumers(P, 'odd', G);
    const all = views.flatMap((v) => v.assigned);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(views.map((v) => v.assigned.length).sort()).toEqual([1, 2, 2]);
  });

  it('expires a consumer after the group timeout and frees its shards', () => {
    beat('a', [], 0);
    beat('b', [], 0);
    beat('a', [0, 1, 2], 30_000);
    // b is silent for more than 60 s.
    expect(beat('a', [0, 1, 2], 61_000)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(model.consumers(P, L, G).map((c) => c.name)).toEqual(['a']);
  });

  it('keeps a consumer alive at exactly the timeout', () => {
    beat('a', [], 0);
    expect(model.consumers(P, L, G, 60_000)).toHaveLength(1);
    expect(model.consumers(P, L, G, 60_001)).toHaveLength(0);
  });

  it('refuses an unknown consumer that reports shards', () => {
    expect(code(() => beat('ghost', [1], 0))).toBe('400 NotExistConsumerWithBody');
    beat('a', [], 0);
    expect(code(() => beat('a', [0], 70_000))).toBe('400 NotExistConsumerWithBody');
  });
});

describe('checkpoints', () => {
  const cursor = 'MTUyNDE1NTM3OTM3MzkwODQ5Ng==';

  it('stores a forced checkpoint with its time in microseconds', () => {
    model.updateCheckpoint(P, L, G, { shard: 2, checkpoint: cursor, forceSuccess: true }, 1_000);
    expect(model.checkpoints(P, L, G)[2]).toEqual({
      shard: 2,
      checkpoint: cursor,
      updateTime: 1_000_000,
      consumer: '',
    });
  });

  it.each([
    [{ shard: 6, checkpoint: cursor, forceSuccess: true }, '404 ShardNotExist'],
    [{ shard: 0, checkpoint: 'abc', forceSuccess: true }, '400 InvalidShardCheckPoint'],
    [{ shard: 0, checkpoint: '', forceSuccess: true }, '400 InvalidShardCheckPoint'],
    [{ shard: 0, checkpoint: cursor, forceSuccess: false }, '400 ParameterInvalid'],
    [{ shard: 0, checkpoint: cursor, consumer: 'nobody', forceSuccess: false }, '404 ConsumerNotExist'],
  ])('rejects %o with %s', (req, expected) => {
    expect(code(() => model.updateCheckpoint(P, L, G, req, 0))).toBe(expected);
  });

  it('lets a consumer write only the shards it holds unless forced', () => {
    beat('a', [], 0);
    beat('b', [], 0);
    beat('a', [], 1);
    const bShard = model.consumers(P, L, G).find((c) => c.name === 'b')?.assigned[0] ?? -1;
    expect(
      code(() =>
        model.updateCheckpoint(
          P,
          L,
          G,
          { shard: bShard, checkpoint: cursor, consumer: 'a', forceSuccess: false },
          2,
        ),
      ),
    ).toBe('400 ConsumerNotMatch');
    expect(
      code(() =>
        model.updateCheckpoint(
          P,
          L,
          G,
          { shard: bShard, checkpoint: cursor, consumer: 'a', forceSuccess: true },
          2,
        ),
      ),
    ).toBe('ok');
  });

  it('reports unknown project, logstore and group', () => {
    expect(code(() => model.heartbeat('nope', L, G, 'a', [], 0))).toBe('404 ProjectNotExist');
    expect(code(() => model.heartbeat(P, 'nope', G, 'a', [], 0))).toBe('404 LogStoreNotExist');
    expect(code(() => model.heartbeat(P, L, 'nope', 'a', [], 0))).toBe('404 ConsumerGroupNotExist');
    expect(code(() => model.createConsumerGroup(P, L, G, { timeoutSeconds: 60 }))).toBe(
      '400 ConsumerGroupAlreadyExist',
    );
  });
});
