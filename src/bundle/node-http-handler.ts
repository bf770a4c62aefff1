/**
 * Stands in for `@smithy/node-http-handler` in the deployed bundles (serverless-esbuild.json's
 * `alias`). The Secrets Manager client imports it for its default HTTP handler, which the
 * functions never use: they pass their own (src/credentials/secrets-client.ts). Without this,
 * every cold start would load Node's `https` client and the handler's HTTP/2 code for nothing.
 *
 * It offers exactly what the client imports; should an SDK upgrade import more, esbuild fails the
 * build, and test/build/bundles.test.ts fails. See docs/development.md, "What the build relies on".
 */

type Handler = { handle: (...args: never[]) => unknown };

/** The SDK calls `create(config.requestHandler ?? defaults)`: only a handler object is accepted. */
export const NodeHttpHandler = {
  create<T>(handler: T): T {
    if (typeof (handler as Partial<Handler> | undefined)?.handle !== 'function') {
      throw new TypeError(
        'this bundle has no NodeHttpHandler: pass an HTTP handler as `requestHandler` (createSecretsManagerClient does)',
      );
    }
    return handler;
  },
};

/** Reads a response body to its end (the SDK's handlers answer with a stream; ours with bytes). */
export async function streamCollector(stream: Uint8Array | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (stream instanceof Uint8Array) return stream;
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
