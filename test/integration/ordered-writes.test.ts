/**
 * The client's rule for ordered writes (UpdateCheckPoint) over real sockets: an attempt past its
 * time limit is retried but never abandoned before the deadline, the call returns only once every
 * attempt has been answered, and a failure says whether an attempt may have landed.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlsError } from '../../src/sls/errors.ts';
import { rejectionOf } from '../helpers/assert.ts';
import { cursor } from '../helpers/factories.ts';
import { type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

let f: SlsFixture;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 2 });
});
afterEach(async () => {
  await f.close();
});

const fast = { retry: { attemptTimeoutMs: 100, minAttemptMs: 20, maxAttempts: 3 } };
const stored = () => f.emulator.checkpoints('test-project', 'test-logstore', 'test-group')[0]?.checkpoint;
const update = { shard: 0, checkpoint: cursor(42), consumer: undefined, forceSuccess: true };

describe('ordered writes (UpdateCheckPoint)', () => {
  it('every attempt slower than its limit: the late success replies are awaited and count', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', times: 3, action: { kind: 'delay', ms: 250 } });
    await f.client(fast).updateCheckpoint(f.target, update, { deadline: f.clock.now() + 5_000 });
    // The call returned after every attempt was answered: nothing is still on its way.
    expect(f.emulator.inFlight).toBe(0);
    expect(f.emulator.requests.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(stored()).toBe(cursor(42));
  });

  it('a connection lost after sending fails the call as ambiguous; one refused before sending does not', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', times: 3, action: { kind: 'drop', applied: true } });
    const lost = await rejectionOf(f.client(fast).updateCheckpoint(f.target, update), SlsError);
    expect(lost).toMatchObject({ code: 'NetworkError', ambiguous: true });
    expect(lost.toJSON()).toMatchObject({ ambiguous: true });

    f.emulator.injectFault({
      operation: 'checkpoint',
      times: 3,
      action: { kind: 'error', status: 503, code: 'ServerBusy' },
    });
    const refused = await rejectionOf(f.client(fast).updateCheckpoint(f.target, update), SlsError);
    expect(refused).toMatchObject({ code: 'ServerBusy', ambiguous: false });
  });

  it('a held attempt is given up only at the deadline, and then the failure is ambiguous', async () => {
    f.emulator.injectFault({ operation: 'checkpoint', times: 10, action: { kind: 'hold' } });
    const failure = await rejectionOf(
      f.client(fast).updateCheckpoint(f.target, update, { deadline: f.clock.now() + 400 }),
      SlsError,
    );
    expect(failure).toMatchObject({ code: 'Timeout', ambiguous: true });
    f.emulator.release();
  });
});

describe('other calls', () => {
  it('a heartbeat attempt past its limit is abandoned and retried, not awaited', async () => {
    f.emulator.injectFault({ operation: 'heartbeat', action: { kind: 'hold' } });
    const shards = await f
      .client(fast)
      .heartbeat(f.target, 'worker-1', [], { deadline: f.clock.now() + 5_000 });
    expect(shards).toEqual([0, 1]);
    // The first attempt is still held by the emulator: the client did not wait for it.
    expect(f.emulator.inFlight).toBe(1);
    expect(f.emulator.release()).toBe(1);
  });
});
