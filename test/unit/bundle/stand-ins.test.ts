/**
 * The stand-ins the deployed bundles get for two SDK packages (serverless-esbuild.json's
 * `alias`): they pass our own handler through and say plainly what is missing otherwise.
 * test/build/bundles.test.ts checks the bundles built with them.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultProvider } from '../../../src/bundle/credential-provider-node.ts';
import { NodeHttpHandler, streamCollector } from '../../../src/bundle/node-http-handler.ts';

describe('the NodeHttpHandler stand-in', () => {
  it('hands back the HTTP handler the client was given', () => {
    const handler = { handle: async () => ({ response: {} }) };
    expect(NodeHttpHandler.create(handler)).toBe(handler);
  });

  it('refuses to make a default handler, saying what to pass', () => {
    expect(() => NodeHttpHandler.create(undefined)).toThrow(
      /no NodeHttpHandler: pass an HTTP handler as `requestHandler`/,
    );
    expect(() => NodeHttpHandler.create({ requestTimeout: 5_000 })).toThrow(TypeError);
  });

  it('collects a body, streamed or not', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    await expect(streamCollector(bytes)).resolves.toBe(bytes);
    const collected = await streamCollector(Readable.from([Buffer.from('ab'), Buffer.from('c')]));
    expect(Buffer.from(collected).toString()).toBe('abc');
  });
});

describe('the credential-provider-node stand-in', () => {
  it('has no chain: it rejects, saying to pass credentials', async () => {
    await expect(defaultProvider()()).rejects.toThrow(/environment only: pass `credentials`/);
  });
});
