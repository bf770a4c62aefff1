/**
 * The Secrets Manager client's HTTP handler, on undici (which the SLS transport already ships),
 * given to the SDK through its public `requestHandler` option in place of its default
 * NodeHttpHandler. One secret read per credentials TTL does not need Node's `https` and `http2`
 * clients loaded at every cold start (with the build's alias, the default is not even bundled:
 * see src/bundle/).
 *
 * Time limits are enforced, per attempt: `connectionTimeoutMs` to connect, `requestTimeoutMs` for
 * the rest of the exchange. Failures are shaped as the SDK's retry strategy classifies
 * NodeHttpHandler's: a time limit is a `TimeoutError`, a dropped connection `ECONNRESET`, a
 * socket error keeps its code, and the caller's abort is an `AbortError` (never retried).
 */
import type { Readable } from 'node:stream';
import { TIMEOUT_CODES } from '../sls/http.ts';
import { percentEncode } from '../sls/signer-v4.ts';
import { Agent } from '../sls/undici.ts';

export interface UndiciRequestHandlerOptions {
  /** Most time to connect (TCP and TLS) per attempt. Default 3 s. */
  readonly connectionTimeoutMs?: number;
  /** Most time per attempt once connected, to the last byte of the reply. Default 5 s. */
  readonly requestTimeoutMs?: number;
  /** Replies above this are abandoned (GetSecretValue replies hold one secret: at most 64 KiB). */
  readonly maxResponseBytes?: number;
}

/** The request the SDK hands its HTTP handler (smithy's HttpRequest), as far as it is read here. */
export interface SdkHttpRequest {
  readonly method: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number | undefined;
  /** Already URI-encoded by the SDK's serializer. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[] | null | undefined>> | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | Readable | null | undefined;
}

/** What the handler answers with (smithy's HttpResponse shape, the body read to its end). */
export interface SdkHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** The SDK's per-request options: the command's abort signal and time limit. */
export interface SdkHandlerOptions {
  readonly abortSignal?: AbortSignal | { readonly aborted: boolean } | undefined;
  readonly requestTimeout?: number | undefined;
}

interface HandlerConfig {
  connectionTimeout: number;
  requestTimeout: number;
}

/** An object the SDK accepts as `requestHandler` (smithy's HttpHandler contract). */
export type UndiciRequestHandler = {
  readonly metadata: { readonly handlerProtocol: string };
  handle(request: SdkHttpRequest, options?: SdkHandlerOptions): Promise<{ response: SdkHttpResponse }>;
  updateHttpClientConfig(key: keyof HandlerConfig, value: number): void;
  httpHandlerConfigs(): HandlerConfig;
  destroy(): void;
};

/** The connection went before the reply was complete: the SDK retries ECONNRESET. */
const DROPPED_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

/** Makes the handler; its connections are kept alive and reused across invocations. */
export function undiciRequestHandler(options: UndiciRequestHandlerOptions = {}): UndiciRequestHandler {
  const config: HandlerConfig = {
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 5_000,
  };
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  let agent: InstanceType<typeof Agent> | undefined;
  const currentAgent = () => {
    agent ??= new Agent({ connect: { timeout: config.connectionTimeout } });
    return agent;
  };

  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request, handlerOptions = {}) {
      const caller = handlerOptions.abortSignal;
      if (caller?.aborted) throw abortError();
      const timeoutMs = handlerOptions.requestTimeout ?? config.requestTimeout;
      const timer = AbortSignal.timeout(timeoutMs);
      const signal = caller instanceof AbortSignal ? AbortSignal.any([caller, timer]) : timer;
      try {
        const response = await currentAgent().request({
          origin: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`,
          path: request.path + queryString(request.query),
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal,
        });
        const body = await readAll(response.body, maxBytes);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        return { response: { statusCode: response.statusCode, headers, body } };
      } catch (error) {
        if (caller?.aborted) throw abortError(error);
        if (timer.aborted) throw timeoutError(`no complete reply within ${timeoutMs} ms`, error);
        throw sdkErrorOf(error, config);
      }
    },
    updateHttpClientConfig(key, value) {
      config[key] = value;
      // The connect limit is the agent's: later requests get a new one.
      if (key === 'connectionTimeout' && agent !== undefined) {
        void agent.close();
        agent = undefined;
      }
    },
    httpHandlerConfigs: () => ({ ...config }),
    destroy() {
      void agent?.destroy();
      agent = undefined;
    },
  };
}

/** `?k=v&k2=v2` as the SDK's own query builder writes it (RFC 3986, repeated keys for arrays). */
export function queryString(query: SdkHttpRequest['query']): string {
  const parts: string[] = [];
  for (const key of Object.keys(query ?? {}).sort()) {
    const value = query?.[key];
    const name = percentEncode(key);
    if (value === null || value === undefined) parts.push(name);
    else if (typeof value === 'string') parts.push(`${name}=${percentEncode(value)}`);
    else for (const v of value) parts.push(`${name}=${percentEncode(v)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

async function readAll(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      body.destroy();
      throw Object.assign(new Error(`reply larger than ${maxBytes} bytes`), { name: 'ResponseTooLarge' });
    }
    chunks.push(chunk);
  }
  // A plain Uint8Array the SDK may adopt (it re-prototypes it): not a view into Buffer's pool.
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function timeoutError(message: string, cause: unknown): Error {
  return Object.assign(new Error(message, { cause }), { name: 'TimeoutError' });
}

function abortError(cause?: unknown): Error {
  return Object.assign(new Error('Request aborted', { cause }), { name: 'AbortError' });
}

/**
 * undici's failures as the SDK's retry strategy knows them from NodeHttpHandler: its time limits
 * as `TimeoutError`, a connection lost mid-reply as `ECONNRESET`; the rest (Node's socket and
 * DNS errors, with their codes) as they are.
 */
export function sdkErrorOf(
  error: unknown,
  config: { readonly connectionTimeout: number; readonly requestTimeout: number },
): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (TIMEOUT_CODES.has(code)) {
    const limit = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connected' : 'answered';
    const ms = code === 'UND_ERR_CONNECT_TIMEOUT' ? config.connectionTimeout : config.requestTimeout;
    return timeoutError(`not ${limit} within ${ms} ms (${code})`, error);
  }
  if (DROPPED_CODES.has(code)) {
    return Object.assign(
      new Error(`the connection closed before the reply was complete (${code})`, { cause: error }),
      {
        code: 'ECONNRESET',
      },
    );
  }
  return error;
}
