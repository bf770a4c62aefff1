/**
 * Connections are reused, not multiplied: at a distance every new connection costs its TCP and
 * TLS handshakes (two or three round trips), so a request must not open one while a kept-alive
 * connection to the same host is about to be free. Counted on undici's own diagnostics channel,
 * against the emulator over real sockets.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointHandler, type SlsFixture, startSlsFixture } from '../helpers/sls.ts';

let f: SlsFixture;
let connections: number;
const onConnected = () => {
  connections++;
};
beforeEach(async () => {
  f = await startSlsFixture({ shards: 40 });
  connections = 0;
  subscribe('undici:client:connected', onConnected);
});
afterEach(async () => {
  unsubscribe('undici:client:connected', onConnected);
  await f.close();
});

const checkpoint = (n: number) => Buffer.from(String(1_700_000_000 + n)).toString('base64');

describe('connection reuse', () => {
  it('sends requests one after another on one connection', async () => {
    const client = f.client();
    for (let i = 0; i < 20; i++) {
      await client.updateCheckpoint(f.target, {
        shard: i % 4,
        checkpoint: checkpoint(i),
        forceSuccess: true,
      });
    }
    expect(f.emulator.requests).toHaveLength(20);
    expect(connections).toBe(1);
  });

  it('keeps as many connections as writes run at once, across waves and batches', async () => {
    const handler = checkpointHandler(f, { concurrency: 4 });
    for (let batch = 0; batch < 3; batch++) {
      const commands = Array.from({ length: 40 }, (_, shard) => ({
        shard,
        checkpoint: checkpoint(batch * 40 + shard),
      }));
      await handler(commands, { awsRequestId: `b${batch}`, getRemainingTimeInMillis: () => 20_000 } as never);
    }
    expect(f.emulator.requests.filter((r) => r.status === 200)).toHaveLength(120);
    expect(connections).toBe(4);
  });
});
