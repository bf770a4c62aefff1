/**
 * How the functions' Secrets Manager client is made: the SDK's client with two of its public
 * options set, its HTTP handler (`undiciRequestHandler`) and its AWS credentials (`fromEnv`).
 *
 * In Lambda the function role's credentials are always in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and `fromEnv` is the provider the
 * SDK's default chain takes there first, so the credentials used, cached and refreshed are the
 * same as with the default chain; the chain's other providers (profiles, SSO, web identity,
 * container and instance metadata) are never reached in Lambda and are left out of the bundle.
 */
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { undiciRequestHandler } from './request-handler.ts';

/** Per attempt; the SDK makes up to 3 attempts (AWS_MAX_ATTEMPTS) with backoff in between. */
export const SECRETS_CONNECT_TIMEOUT_MS = 3_000;
export const SECRETS_REQUEST_TIMEOUT_MS = 5_000;

/**
 * A Secrets Manager client as the functions use it. Region and endpoint come from the SDK's
 * usual sources (AWS_REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER); `overrides` (tests, tools) win.
 */
export function createSecretsManagerClient(overrides: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({
    requestHandler: undiciRequestHandler({
      connectionTimeoutMs: SECRETS_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: SECRETS_REQUEST_TIMEOUT_MS,
    }),
    credentials: fromEnv(),
    ...overrides,
  });
}
