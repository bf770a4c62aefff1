/**
 * What the CLI connects with: the functions' own variables (`SLS_ENDPOINT`, `SLS_PROJECT`, …),
 * each overridable by a flag, and the AccessKey from the same Secrets Manager secret or, on a
 * laptop, from Alibaba Cloud's standard `ALIBABA_CLOUD_ACCESS_KEY_*` variables.
 */
import { type CommonConfig, ConfigError, type Env, loadOperatorConfig } from '../config.ts';
import { parseSecret } from '../credentials/secret.ts';
import type { CredentialsProvider } from '../sls/types.ts';
import { CliError, EXIT } from './exit.ts';

/** The connection flags every command takes. */
export interface ConnectionFlags {
  readonly endpoint?: string | undefined;
  readonly project?: string | undefined;
  readonly logstore?: string | undefined;
  readonly group?: string | undefined;
  readonly secretId?: string | undefined;
  readonly signatureVersion?: string | undefined;
  readonly region?: string | undefined;
}

/** Which flag sets which variable, for messages. */
const FLAGS: Readonly<Record<string, string>> = {
  SLS_ENDPOINT: '--endpoint',
  SLS_PROJECT: '--project',
  SLS_LOGSTORE: '--logstore',
  SLS_CONSUMER_GROUP: '--group',
  SLS_CREDENTIALS_SECRET_ID: '--secret-id',
  SLS_SIGNATURE_VERSION: '--signature-version',
  SLS_REGION: '--region',
};

export const ENVIRONMENT_HELP = `
Environment (a flag overrides its variable):
  SLS_ENDPOINT, SLS_PROJECT, SLS_LOGSTORE, SLS_CONSUMER_GROUP   as the deployed functions use them
  SLS_SIGNATURE_VERSION, SLS_REGION, SLS_REQUEST_TIMEOUT_MS      signing and the time limit of one request
  Credentials, the first that is set:
    --secret-id ID                 the AccessKey from this Secrets Manager secret (AWS credentials and
                                   region from the usual AWS sources: AWS_PROFILE, AWS_REGION, …)
    ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN)
    SLS_CREDENTIALS_SECRET_ID      the functions' secret`;

/** The variables with the flags applied over them. */
function withFlags(flags: ConnectionFlags, env: Env): Env {
  const given: Record<string, string | undefined> = {
    SLS_ENDPOINT: flags.endpoint,
    SLS_PROJECT: flags.project,
    SLS_LOGSTORE: flags.logstore,
    SLS_CONSUMER_GROUP: flags.group,
    SLS_CREDENTIALS_SECRET_ID: flags.secretId,
    SLS_SIGNATURE_VERSION: flags.signatureVersion,
    SLS_REGION: flags.region,
  };
  const set = Object.entries(given).filter((e): e is [string, string] => e[1] !== undefined);
  return { ...env, ...Object.fromEntries(set) };
}

/** The configuration, or `CliError` (exit 4) naming each bad variable with its flag. */
export function loadCliConfig(flags: ConnectionFlags, env: Env): CommonConfig {
  try {
    return loadOperatorConfig(withFlags(flags, env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const message = error.message.replace(/\bSLS_[A-Z_]+\b/g, (name) =>
      FLAGS[name] === undefined ? name : `${name} (${FLAGS[name]})`,
    );
    throw new CliError(message.replace(/^invalid environment/, 'invalid configuration'), EXIT.config);
  }
}

export interface Credentials {
  readonly provider: CredentialsProvider;
  /** Where the key comes from, for messages: never the key. */
  readonly source: string;
  /** Ends what the provider holds open (the Secrets Manager client's sockets). */
  close(): void;
}

const ENV_KEYS = 'the ALIBABA_CLOUD_ACCESS_KEY_* variables';

/**
 * The credentials to sign with: `--secret-id`, else the `ALIBABA_CLOUD_ACCESS_KEY_*` variables,
 * else `SLS_CREDENTIALS_SECRET_ID`. Keys from the environment are checked by the rules a secret's
 * fields are (visible ASCII, no spaces).
 */
export async function credentialsFor(
  flags: ConnectionFlags,
  config: CommonConfig,
  env: Env,
): Promise<Credentials> {
  if (flags.secretId === undefined && env.ALIBABA_CLOUD_ACCESS_KEY_ID) {
    const credentials = parseSecret(
      ENV_KEYS,
      JSON.stringify({
        accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
        accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET || undefined,
        securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined,
      }),
    );
    return {
      provider: { get: async () => credentials, refresh: async () => credentials },
      source: ENV_KEYS,
      close: () => {},
    };
  }
  if (config.secretId !== '') {
    // Loaded only when a secret is used: a laptop with keys in its environment never pays for it.
    const [{ SecretsManagerClient }, { SecretsManagerCredentialsProvider }] = await Promise.all([
      import('@aws-sdk/client-secrets-manager'),
      import('../credentials/provider.ts'),
    ]);
    const client = new SecretsManagerClient({
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 },
    });
    const provider = new SecretsManagerCredentialsProvider({ secretId: config.secretId, client });
    return { provider, source: `secret ${config.secretId}`, close: () => client.destroy() };
  }
  throw new CliError(
    'no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or name the Secrets Manager secret with --secret-id or SLS_CREDENTIALS_SECRET_ID',
    EXIT.config,
  );
}
