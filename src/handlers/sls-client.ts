/**
 * The SLS client a configuration asks for, shared by both functions and the operator CLI so they
 * sign and retry alike. Its own module so the CLI does not load the functions' runtime (the AWS
 * SDK) when it signs with keys from the environment.
 */
import type { CommonConfig } from '../config.ts';
import { SlsClient, type SlsClientOptions } from '../sls/client.ts';

/** The SLS client a configuration asks for (attempt time limit, signing). */
export function slsClientFor(config: CommonConfig, options: Omit<SlsClientOptions, 'signing'>): SlsClient {
  return new SlsClient({
    ...options,
    retry: { ...options.retry, attemptTimeoutMs: config.requestTimeoutMs },
    signing: config.signing,
  });
}
