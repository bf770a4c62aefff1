/**
 * Today's (before issue 15) Secrets Manager client: the SDK's default HTTP handler
 * (NodeHttpHandler) with the options the functions passed, and the SDK's default credentials chain.
 */
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

export const SECRETS_CONNECT_TIMEOUT_MS = 3_000;
export const SECRETS_REQUEST_TIMEOUT_MS = 5_000;

export function createSecretsManagerClient(overrides: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({
    requestHandler: {
      connectionTimeout: SECRETS_CONNECT_TIMEOUT_MS,
      requestTimeout: SECRETS_REQUEST_TIMEOUT_MS,
    },
    ...overrides,
  });
}
