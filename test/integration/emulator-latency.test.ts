/**
 * The emulator at a distance, over real sockets: a request pays a round trip, is applied half-way
 * through it, and a new connection pays its setup once. Only lower bounds are timed (a delay
 * cannot be shorter than asked); the one upper bound leaves a margin of hundreds of milliseconds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUndiciTransport } from '../../src/sls/http.ts';
import { runProcess } from '../helpers/process.ts';
import { type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

let f: SlsFixture;
beforeEach(async () => {
  f = await startSlsFixture({ shards: 2 });
});
afterEach(async () => {
  await f.close();
});

const update = (checkpoint: string) => ({ shard: 0, checkpoint, forceSuccess: true });

async function timed<T>(work: Promise<T>): Promise<number> {
  const started = performance.now();
  await work;
  return performance.now() - started;
}

describe('emulator latency', () => {
  it('costs a round trip per request, and a new connection its setup once', async () => {
    f.emulator.setLatency({ rttMs: 40, setupMs: 600 });
    const client = f.client();
    const first = await timed(client.updateCheckpoint(f.target, update('MQ==')));
    // undici hands a connection back to its pool a moment after the reply resolves; a request
    // sent in the same turn would open a second one.
    await new Promise((resolve) => setImmediate(resolve));
    const second = await timed(client.updateCheckpoint(f.target, update('Mg==')));
    expect(first).toBeGreaterThanOrEqual(640 - 1);
    expect(second).toBeGreaterThanOrEqual(40 - 1);
    // Kept alive: the same connection, so no second setup (600 ms would show).
    expect(second).toBeLessThan(600);

    // Another connection pays its own setup.
    const other = createUndiciTransport();
    try {
      const third = await timed(f.client({ transport: other }).updateCheckpoint(f.target, update('Mw==')));
      expect(third).toBeGreaterThanOrEqual(640 - 1);
    } finally {
      await other.close();
    }
  });

  it('applies a request half-way: SLS holds it before the reply has come back', async () => {
    f.emulator.setLatency({ rttMs: 400 });
    let replied = false;
    const pending = f
      .client()
      .updateCheckpoint(f.target, update('NDI='))
      .then(() => {
        replied = true;
      });
    while (f.emulator.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(f.emulator.checkpoints('test-project', 'test-logstore', 'test-group')[0]).toMatchObject({
      shard: 0,
      checkpoint: 'NDI=',
    });
    expect(replied).toBe(false);
    expect(f.emulator.inFlight).toBe(1);
    await f.emulator.idle();
    await pending;
    expect(replied).toBe(true);
  });

  it('can be set and removed while running, and refuses an unusable one by name', async () => {
    f.emulator.setLatency({ rttMs: 30 });
    expect(() => f.emulator.setLatency({ rttMs: 30, jitterMs: 20 })).toThrow(
      /jitterMs \(20\) must be at most half/,
    );
    const withLatency = await timed(f.client().updateCheckpoint(f.target, update('NQ==')));
    expect(withLatency).toBeGreaterThanOrEqual(30 - 1);
    f.emulator.setLatency(undefined);
    await f.client().updateCheckpoint(f.target, update('Ng=='));
    expect(f.emulator.requests.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('npm run emulator at a distance', () => {
  it('refuses an unusable latency, naming the flag', async () => {
    const run = await runProcess(process.execPath, [
      'src/emulator/main.ts',
      '--port',
      '0',
      '--rtt',
      '100',
      '--jitter',
      '80',
    ]);
    expect(run.code).toBe(2);
    expect(run.output).toContain('--jitter (80) must be at most half of --rtt (100)');
  });
});
