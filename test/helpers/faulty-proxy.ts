/**
 * A loopback HTTP proxy in front of a real server (moto) that misbehaves on cue: each request
 * takes the next scripted fault, and once the script is used up requests are passed on. It
 * counts requests and connections, so a test sees every attempt a client made.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward, read } from './throttling-proxy.ts';

export type Fault =
  /** Reads the request and never answers. */
  | 'stall'
  /** Reads the request and closes the connection. */
  | 'drop'
  /** Answers with this HTTP status and AWS's JSON error for it. */
  | 500
  | 503
  /** Answers 200 with a body of 64 KiB. */
  | 'huge';

export interface FaultyProxy {
  readonly url: string;
  /** Queues faults for the next requests, in order. */
  script(...faults: Fault[]): void;
  readonly requests: number;
  readonly connections: number;
  close(): Promise<void>;
}

const ERRORS: Record<number, string> = { 500: 'InternalFailure', 503: 'ServiceUnavailable' };
export async function startFaultyProxy(upstream: string): Promise<FaultyProxy> {
  const faults: Fault[] = [];
  let requests = 0;
  let connections = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      requests++;
      const fault = faults.shift();
      if (fault === 'stall') return;
      if (fault === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault === 'huge') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Name: 'huge', SecretString: 'x'.repeat(64 * 1024) }));
        return;
      }
      if (typeof fault === 'number') {
        res.writeHead(fault, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `fault-${requests}`,
        });
        res.end(JSON.stringify({ __type: ERRORS[fault], message: 'injected' }));
        return;
      }
      await forward(upstream, req, body, res);
    })().catch(() => res.destroy());
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script: (...next) => {
      faults.push(...next);
    },
    get requests() {
      return requests;
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
