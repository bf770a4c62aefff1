/**
 * A loopback HTTP proxy in front of a real server that answers the next N requests itself with
 * AWS's throttling reply, so the SDK parses a genuine `ThrottlingException` off the wire.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ThrottlingProxy {
  readonly url: string;
  /** Throttle the next `n` requests. */
  throttle(n: number): void;
  /** Requests answered with a throttling error so far. */
  readonly throttled: number;
  /** Requests passed on to the real server so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

/** The whole body of a request or reply. */
export async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Not passed on: they describe the proxy's own connections, or the body fetch decoded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
]);

/** Passes a request on to `upstream` and its reply back, headers included (the request id too). */
export async function forward(
  upstream: string,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
): Promise<void> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === 'string' && k !== 'host') headers.set(k, v);
  const response = await fetch(`${upstream}${req.url ?? '/'}`, {
    method: req.method ?? 'POST',
    headers,
    body,
  });
  const out = Buffer.from(await response.arrayBuffer());
  const replyHeaders: Record<string, string> = {};
  for (const [k, v] of response.headers) if (!HOP_BY_HOP.has(k)) replyHeaders[k] = v;
  res.writeHead(response.status, replyHeaders);
  res.end(out);
}

export async function startThrottlingProxy(upstream: string): Promise<ThrottlingProxy> {
  let pending = 0;
  let throttled = 0;
  let forwarded = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      if (pending > 0) {
        pending--;
        throttled++;
        const reply = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' });
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `throttle-${throttled}`,
        });
        res.end(reply);
        return;
      }
      forwarded++;
      await forward(upstream, req, body, res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    throttle: (n) => {
      pending += n;
    },
    get throttled() {
      return throttled;
    },
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
