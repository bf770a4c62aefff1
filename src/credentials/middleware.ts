import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { CredentialsProvider } from '../sls/types.ts';

/** What `slsCredentials` adds to the Lambda context. */
export interface SlsCredentialsContext {
  slsCredentials: CredentialsProvider;
}

export interface SlsCredentialsOptions {
  readonly provider: CredentialsProvider;
}

/**
 * Loads SLS credentials before the handler and puts the provider on
 * `request.context.slsCredentials`. A missing, unreadable or malformed secret fails the
 * invocation here, early, with the provider's `CredentialsError`. The provider is handed on
 * (not the credentials) because the SLS client calls `provider.refresh(rejected)` once when SLS
 * rejects the key, which is where rotation is noticed.
 *
 * Why our own middleware and not `@middy/secrets-manager`: the registry here serves that package
 * only at 6.4.5, a major behind the `@middy/core` 7 we use; it computes the rotation-based cache expiry
 * wrongly (fixed upstream in 7.6.6); and it has no refresh-on-rejection, so after a rotation the
 * function would keep signing with a dead key until the cache expired. The provider does the
 * caching, validation, coalescing and redaction; this middleware only wires it in.
 */
export function slsCredentials(
  options: SlsCredentialsOptions,
): MiddlewareObj<unknown, unknown, Error, Context & SlsCredentialsContext> {
  const unknown = Object.keys(options ?? {}).filter((key) => key !== 'provider');
  if (unknown.length > 0) {
    throw new TypeError(`slsCredentials: unknown option(s) ${unknown.join(', ')}; expected { provider }`);
  }
  const provider = options?.provider;
  if (typeof provider?.get !== 'function' || typeof provider.refresh !== 'function') {
    throw new TypeError('slsCredentials: options.provider must be a CredentialsProvider (get and refresh)');
  }
  return {
    name: 'slsCredentials',
    before: async (request) => {
      await provider.get();
      request.context.slsCredentials = provider;
    },
  };
}
