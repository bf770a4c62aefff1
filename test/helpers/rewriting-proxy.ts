/**
 * A loopback HTTP proxy in front of the emulator that passes every request on unchanged (Host
 * header included, so the emulator still routes and verifies it) and can replace the next
 * replies that match with its own: a stand-in for a broken SLS or anything answering in its
 * place.
 */
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { read } from './throttling-proxy.ts';

export interface ForgedReply {
  readonly status: number;
  readonly body: string;
}

export interface RewritingProxy {
  readonly url: string;
  /**
   * The next `times` requests whose query has `type=<type>` (`heartbeat`, `checkpoint`) or,
   * with `type` undefined, that have no `type` (GetCheckPoint, CreateConsumerGroup), reach the
   * emulator as usual, but the client gets `reply` instead of the emulator's answer.
   */
  forge(type: string | undefined, reply: ForgedReply, times?: number): void;
  /** Replies replaced so far. */
  readonly forged: number;
  close(): Promise<void>;
}

export async function startRewritingProxy(upstream: string): Promise<RewritingProxy> {
  const target = new URL(upstream);
  const plans: { type: string | undefined; reply: ForgedReply; left: number }[] = [];
  let forged = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      const type = new URL(req.url ?? '/', 'http://x').searchParams.get('type') ?? undefined;
      const index = plans.findIndex((p) => p.type === type);
      const plan = plans[index];
      if (plan !== undefined && --plan.left <= 0) plans.splice(index, 1);
      const upstreamReply = await new Promise<{
        status: number;
        headers: IncomingMessage['headers'];
        body: Buffer;
      }>((resolve, reject) => {
        const out = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (reply) => {
            read(reply).then(
              (b) => resolve({ status: reply.statusCode ?? 502, headers: reply.headers, body: b }),
              reject,
            );
          },
        );
        out.on('error', reject);
        out.end(body);
      });
      const reply =
        plan === undefined
          ? upstreamReply
          : { ...upstreamReply, ...plan.reply, body: Buffer.from(plan.reply.body) };
      if (plan !== undefined) forged++;
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'content-length': reply.body.byteLength,
        'x-log-requestid': String(upstreamReply.headers['x-log-requestid'] ?? ''),
        date: String(upstreamReply.headers.date ?? new Date().toUTCString()),
      });
      res.end(reply.body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forge: (type, reply, times = 1) => {
      plans.push({ type, reply, left: times });
    },
    get forged() {
      return forged;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
