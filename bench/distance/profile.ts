/**
 * The distance profile of `npm run bench -- --rtt MS`: how far the emulator pretends SLS is, and
 * the small instruments the benchmarks at that distance share.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../src/sls/http.ts';

export interface Distance {
  /** Round trip of every request, ms. */
  readonly rttMs: number;
  /** Each half of a round trip varies by up to ± this, ms. */
  readonly jitterMs: number;
  /** A new connection's TCP and TLS handshakes, ms. */
  readonly setupMs: number;
}

/**
 * The distance from `--rtt` (with `--jitter`, default a tenth of the round trip per half, and
 * `--setup`, default two round trips: TCP, then TLS 1.3), or undefined without `--rtt`.
 */
export function distanceFrom(values: {
  rtt?: string;
  jitter?: string;
  setup?: string;
}): Distance | undefined {
  if (values.rtt === undefined) return undefined;
  const rttMs = Number(values.rtt);
  const distance = {
    rttMs,
    jitterMs: values.jitter === undefined ? rttMs / 10 : Number(values.jitter),
    setupMs: values.setup === undefined ? 2 * rttMs : Number(values.setup),
  };
  for (const [name, value] of Object.entries(distance)) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`--${name.replace(/Ms$/, '')} must be >= 0`);
  }
  if (distance.jitterMs > rttMs / 2) throw new RangeError('--jitter must be at most half of --rtt');
  return distance;
}

/** `--rtt 250 --jitter 25 --setup 500`, as `npm run emulator` takes them. */
export const emulatorFlags = (d: Distance, scale = 1): string[] => [
  '--rtt',
  String(d.rttMs * scale),
  '--jitter',
  String(d.jitterMs * scale),
  '--setup',
  String(d.setupMs * scale),
];

/** `250 ms (± 25 ms per half, 500 ms per new connection)`. */
export const describeDistance = (d: Distance): string =>
  `${d.rttMs} ms round trip (± ${d.jitterMs} ms per half, ${d.setupMs} ms per new connection)`;

/** A transport that counts what it sends, by SLS operation. */
export function countingTransport(inner: HttpTransport): HttpTransport & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    send(request: HttpRequest): Promise<HttpResponse> {
      const type = /[?&]type=(\w+)/.exec(request.path)?.[1];
      const operation =
        type === 'checkpoint'
          ? 'UpdateCheckPoint'
          : type === 'heartbeat'
            ? 'ConsumerGroupHeartBeat'
            : request.method === 'GET'
              ? 'GetCheckPoint'
              : 'other';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return inner.send(request);
    },
    close: () => inner.close(),
  };
}

/** Counts the connections undici opens (its diagnostics channel) until `stop`. */
export function countConnections(): { readonly count: number; stop(): void } {
  let count = 0;
  const onConnected = () => {
    count++;
  };
  subscribe('undici:client:connected', onConnected);
  return {
    get count() {
      return count;
    },
    stop: () => unsubscribe('undici:client:connected', onConnected),
  };
}

/** A base64 SLS cursor for position `n`. */
export const cursor = (n: number): string =>
  Buffer.from(String(1_700_000_000_000_000_000n + BigInt(n))).toString('base64');

/** An SQS event of `records` commands spread round-robin over `shards` shards, as SQS delivers them. */
export function sqsBatch(records: number, shards: number, from = 0) {
  return {
    Records: Array.from({ length: records }, (_, i) => ({
      messageId: `m-${from + i}`,
      receiptHandle: `r-${from + i}`,
      body: JSON.stringify({ shard: i % shards, checkpoint: cursor(from + i) }),
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:bench-checkpoint',
      awsRegion: 'eu-central-1',
    })),
  };
}

/** A Lambda context whose remaining time runs down from `timeoutMs` on the real clock. */
export function lambdaContext(timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  return { awsRequestId: 'bench', getRemainingTimeInMillis: () => end - Date.now() };
}
