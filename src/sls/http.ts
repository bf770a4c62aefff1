/**
 * The wire: one HTTP exchange over undici with keep-alive, time limits and a bounded body.
 * Failures become typed SLS errors here, in one place.
 */
import { SlsError, SlsNetworkError, SlsRequestError, SlsResponseError, SlsTimeoutError } from './errors.ts';
import { Agent } from './undici.ts';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  /** `scheme://host[:port]` to connect to. */
  readonly origin: string;
  /** Path and query string, already encoded. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
  /** Overall limit of this exchange, from sending to the last body byte. */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** Sends one request. Implementations throw `SlsNetworkError`/`SlsTimeoutError`/`SlsResponseError`. */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface UndiciTransportOptions {
  readonly connectTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this; below SLS's own idle timeout. */
  readonly keepAliveTimeoutMs?: number;
  /** Replies larger than this are abandoned; ours are small (a shard list, a checkpoint list). */
  readonly maxResponseBytes?: number;
  readonly connections?: number;
}

/** undici's codes for a connect, reply-headers or body time limit. */
export const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/**
 * Failures that happen before a request can have left: nothing reached the server. Anything else
 * (a reset, a socket closed while waiting, a timeout) may come after SLS applied the request.
 */
const NOT_SENT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/**
 * The request itself was refused before it left (undici's argument checks, Node's URL and header
 * checks): nothing was sent and the same request would be refused again.
 */
const REQUEST_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
]);

/** Maps whatever undici or the socket threw to one of our typed errors. */
export function toTransportError(
  error: unknown,
  request: Pick<HttpRequest, 'method' | 'timeoutMs'>,
): SlsError {
  if (error instanceof SlsError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  const ambiguous = !(typeof code === 'string' && NOT_SENT_CODES.has(code));
  if ((typeof code === 'string' && TIMEOUT_CODES.has(code)) || name === 'TimeoutError') {
    return new SlsTimeoutError(`no complete reply within ${request.timeoutMs} ms`, {
      code: 'Timeout',
      retryable: true,
      ambiguous,
      cause: error,
    });
  }
  const detail = typeof code === 'string' ? code : typeof name === 'string' ? name : 'unknown error';
  if (typeof code === 'string' && REQUEST_CODES.has(code)) {
    // undici's texts name a header, never its value; Node's may quote the value (a token, say),
    // so of those only the code is kept, in the message and in the cause that gets logged.
    const ours = code.startsWith('UND_ERR_');
    const message = (error as { message?: unknown }).message;
    const text = ours && typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
    return new SlsRequestError(`the request could not be built (${code}${text})`, {
      code: 'InvalidRequest',
      retryable: false,
      cause: ours
        ? error
        : Object.assign(new Error(`${code} (message withheld: it may quote a value)`), { code }),
    });
  }
  return new SlsNetworkError(`connection failed (${detail})`, {
    code: 'NetworkError',
    retryable: true,
    ambiguous,
    cause: error,
  });
}

/** An undici-backed transport. Create it once per process so warm invocations reuse sockets. */
export function createUndiciTransport(options: UndiciTransportOptions = {}): HttpTransport {
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 3_000 },
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 15_000,
    keepAliveMaxTimeout: 60_000,
    connections: options.connections ?? 64,
  });

  return {
    async send(request) {
      // Timers take whole milliseconds (AbortSignal.timeout throws on 12.5); round up, never to 0.
      const timeoutMs = Math.max(1, Math.ceil(request.timeoutMs));
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await agent.request({
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body === undefined ? null : Buffer.from(request.body),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal,
        });
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          abandon(response.body);
          throw tooLarge(maxBytes, response.statusCode);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body) {
          size += (chunk as Buffer).byteLength;
          if (size > maxBytes) {
            abandon(response.body);
            throw tooLarge(maxBytes, response.statusCode);
          }
          chunks.push(chunk as Buffer);
        }
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(response.headers)) {
          headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        }
        // undici gives a kept-alive connection back to its pool one event-loop turn after the
        // reply ends; a request sent before that opens another connection, whose TCP and TLS
        // handshakes cost two or three round trips at a distance. Callers send their next request
        // as soon as this resolves, so it resolves only once the connection is free again.
        await new Promise((resolve) => setImmediate(resolve));
        return { status: response.statusCode, headers, body: Buffer.concat(chunks) };
      } catch (error) {
        if (signal.aborted && !(error instanceof SlsError)) throw toTransportError(signal.reason, request);
        throw toTransportError(error, request);
      }
    },
    close: () => agent.close(),
  };
}

/** Closes a body we will not read; the abort error it emits is expected, not a crash. */
function abandon(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
}

function tooLarge(maxBytes: number, status: number): SlsResponseError {
  return new SlsResponseError(`reply larger than ${maxBytes} bytes`, {
    code: 'ResponseTooLarge',
    retryable: false,
    status,
  });
}
