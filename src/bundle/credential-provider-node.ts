/**
 * Stands in for `@aws-sdk/credential-provider-node` in the deployed bundles (serverless-esbuild.json's
 * `alias`). The Secrets Manager client imports it for its default credentials chain, which the
 * functions never use: they pass `credentials: fromEnv()` (src/credentials/secrets-client.ts), the
 * chain's first link and the one Lambda serves. Without this, every bundle would carry (and load
 * Node's `child_process` for) profile, SSO, process, web-identity and metadata providers.
 *
 * See docs/development.md, "What the build relies on"; test/build/bundles.test.ts guards it.
 */

/** The chain the client falls back on without `credentials`: here it says why there is none. */
export function defaultProvider(): () => Promise<never> {
  return () =>
    Promise.reject(
      new Error(
        'this bundle takes AWS credentials from the environment only: pass `credentials` (createSecretsManagerClient does)',
      ),
    );
}
