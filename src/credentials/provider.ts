/**
 * SLS credentials from AWS Secrets Manager: cached for a TTL, fetched once for any number of
 * concurrent callers, refreshed when SLS rejects the key, and never logged or thrown.
 */
import type { GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { CredentialsProvider, SlsCredentials } from '../sls/types.ts';
import { CredentialsError, credentialsErrorFromSdk } from './errors.ts';
import { maskAccessKeyId, parseSecret, sameCredentials } from './secret.ts';
import { createSecretsManagerClient } from './secrets-client.ts';

export const DEFAULT_TTL_MS = 5 * 60 * 1000;
/**
 * After a refresh found the secret unchanged, further refreshes for the same key within this
 * time return the cached value instead of fetching again.
 */
export const REFRESH_QUIET_MS = 10_000;

export interface SecretsManagerCredentialsProviderOptions {
  /** Name or ARN of the secret. */
  readonly secretId: string;
  /** Defaults to one client per process, created on first use (see `defaultSecretsManagerClient`). */
  readonly client?: SecretsManagerClient | undefined;
  /** How long `get()` serves the cached value; 0 fetches on every call. Default 5 minutes. */
  readonly ttlMs?: number | undefined;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: (() => number) | undefined;
  readonly logger?: Logger | undefined;
}

interface Cached {
  readonly value: SlsCredentials;
  readonly fetchedAt: number;
  /** Sequence number of the fetch that produced it: an older fetch never overwrites a newer one. */
  readonly seq: number;
}

interface InFlight {
  readonly promise: Promise<SlsCredentials>;
  readonly seq: number;
  /** Set when started by `refresh(rejected)`: later refreshes of the same credentials join it. */
  readonly rejected: SlsCredentials | undefined;
}

let sharedClient: SecretsManagerClient | undefined;

/**
 * The process-wide client, made on first use so warm invocations reuse its connections: see
 * `createSecretsManagerClient` (HTTP on undici with time limits per attempt, AWS credentials
 * from the environment, region and endpoint from `AWS_REGION` and
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`).
 */
export function defaultSecretsManagerClient(): SecretsManagerClient {
  sharedClient ??= createSecretsManagerClient();
  return sharedClient;
}

export class SecretsManagerCredentialsProvider implements CredentialsProvider {
  readonly secretId: string;
  readonly ttlMs: number;
  readonly #client: SecretsManagerClient | undefined;
  readonly #now: () => number;
  readonly #logger: Logger;
  #cached: Cached | undefined;
  #inFlight: InFlight | undefined;
  /** When a refresh last found the secret still holding the rejected key. */
  #unchangedAt: { readonly value: SlsCredentials; readonly at: number } | undefined;
  #seq = 0;

  constructor(options: SecretsManagerCredentialsProviderOptions) {
    if (typeof options.secretId !== 'string' || options.secretId.trim() === '') {
      throw new TypeError('SecretsManagerCredentialsProvider: secretId must be a non-empty string');
    }
    const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 0) {
      throw new TypeError(
        `SecretsManagerCredentialsProvider: ttlMs must be a finite number >= 0, got ${ttlMs}`,
      );
    }
    this.secretId = options.secretId;
    this.ttlMs = ttlMs;
    this.#client = options.client;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The cached credentials while younger than the TTL; otherwise joins or starts a fetch. */
  get(): Promise<SlsCredentials> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() - cached.fetchedAt < this.ttlMs) {
      return Promise.resolve(cached.value);
    }
    if (this.#inFlight !== undefined) return this.#inFlight.promise;
    return this.#start(undefined);
  }

  /**
   * Called after SLS rejected `rejected`. When the cache already holds other credentials,
   * someone refreshed meanwhile and those are returned (via `get()`, so without a fetch while
   * they are fresh). Otherwise fetches bypassing the cache; concurrent refreshes of the same
   * credentials share that one fetch. A fetch that `get()` started earlier is not joined: it
   * may have begun before the secret was rotated.
   */
  refresh(rejected: SlsCredentials): Promise<SlsCredentials> {
    const cached = this.#cached;
    if (cached !== undefined && !sameCredentials(cached.value, rejected)) return this.get();
    const inFlight = this.#inFlight;
    if (inFlight?.rejected !== undefined && sameCredentials(inFlight.rejected, rejected)) {
      return inFlight.promise;
    }
    // The secret still held this very key a moment ago: SLS rejects it for good (disabled key,
    // missing permission), and fetching again on every rejected request would only add load.
    const unchanged = this.#unchangedAt;
    if (
      cached !== undefined &&
      unchanged !== undefined &&
      sameCredentials(unchanged.value, rejected) &&
      this.#now() - unchanged.at < REFRESH_QUIET_MS
    ) {
      return Promise.resolve(cached.value);
    }
    return this.#start(rejected);
  }

  #start(rejected: SlsCredentials | undefined): Promise<SlsCredentials> {
    const seq = ++this.#seq;
    const previous = this.#cached?.value;
    const promise = this.#load().then(
      (value) => {
        if (this.#cached === undefined || seq > this.#cached.seq) {
          this.#cached = { value, fetchedAt: this.#now(), seq };
        }
        if (rejected !== undefined && sameCredentials(value, rejected)) {
          this.#unchangedAt = { value, at: this.#now() };
        }
        this.#logLoaded(value, previous, rejected);
        return value;
      },
      (error: unknown) => {
        const e = error as CredentialsError;
        this.#logger.warn('credentials.fetch_failed', {
          source: this.secretId,
          code: e.code,
          retryable: e.retryable,
          status: e.status,
          requestId: e.requestId,
        });
        throw error;
      },
    );
    const inFlight: InFlight = {
      promise: promise.finally(() => {
        if (this.#inFlight === inFlight) this.#inFlight = undefined;
      }),
      seq,
      rejected,
    };
    this.#inFlight = inFlight;
    return inFlight.promise;
  }

  async #load(): Promise<SlsCredentials> {
    let output: GetSecretValueCommandOutput;
    try {
      const client = this.#client ?? defaultSecretsManagerClient();
      output = await client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    } catch (error) {
      throw credentialsErrorFromSdk(error, this.secretId);
    }
    // $metadata is always set by the SDK, but not by every stub of it.
    const status = output.$metadata?.httpStatusCode;
    const requestId = output.$metadata?.requestId;
    if (typeof output.SecretString === 'string') return parseSecret(this.secretId, output.SecretString);
    if (output.SecretBinary !== undefined) {
      throw new CredentialsError(
        `secret "${this.secretId}" holds SecretBinary; store the credentials as a JSON SecretString`,
        { code: 'SecretBinary', secretId: this.secretId, retryable: false, status, requestId },
      );
    }
    throw new CredentialsError(`secret "${this.secretId}" has no SecretString`, {
      code: 'SecretInvalid',
      secretId: this.secretId,
      retryable: false,
      status,
      requestId,
    });
  }

  #logLoaded(
    value: SlsCredentials,
    previous: SlsCredentials | undefined,
    rejected: SlsCredentials | undefined,
  ) {
    const accessKeyId = maskAccessKeyId(value.accessKeyId);
    if (rejected !== undefined) {
      this.#logger.info('credentials.refreshed', {
        source: this.secretId,
        accessKeyId,
        changed: !sameCredentials(value, rejected),
      });
    } else {
      this.#logger.debug('credentials.loaded', {
        source: this.secretId,
        accessKeyId,
        changed: previous === undefined || !sameCredentials(value, previous),
      });
    }
  }
}

const providers = new Map<string, SecretsManagerCredentialsProvider>();

/**
 * The process-wide provider for a secret and TTL, made on first use: module-scope handlers call
 * it at cold start, and every later call (a warm invocation, a second handler in the same
 * process) gets the same cache and the one Secrets Manager client. `logger` is used only when
 * the provider is first made. Configuration is parsed and checked in `src/config.ts`.
 */
export function sharedCredentialsProvider(options: {
  readonly secretId: string;
  readonly ttlMs: number;
  readonly logger?: Logger | undefined;
}): SecretsManagerCredentialsProvider {
  const key = `${options.secretId}\u0000${options.ttlMs}`;
  let provider = providers.get(key);
  if (provider === undefined) {
    provider = new SecretsManagerCredentialsProvider(options);
    providers.set(key, provider);
  }
  return provider;
}
