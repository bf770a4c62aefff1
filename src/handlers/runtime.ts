/**
 * What both Lambda entry points build once at cold start: the logger, the shared credentials
 * provider and the SLS client. Module scope, so warm invocations reuse sockets and caches.
 */
import type { Context } from 'aws-lambda';
import type { CommonConfig } from '../config.ts';
import { sharedCredentialsProvider } from '../credentials/provider.ts';
import { createLogger, type Logger } from '../log.ts';
import { emfSink } from '../metrics/emf.ts';
import type { MetricsScope } from '../metrics/scope.ts';
import type { SlsClient } from '../sls/client.ts';
import type { CredentialsProvider } from '../sls/types.ts';
import { slsClientFor } from './sls-client.ts';

export { slsClientFor };

export interface Runtime {
  readonly logger: Logger;
  readonly credentials: CredentialsProvider;
  readonly client: SlsClient;
  readonly metrics: MetricsScope;
}

/** The production collaborators of one function, from its parsed configuration. */
export function productionRuntime(config: CommonConfig, functionName: string): Runtime {
  const logger = createLogger({ level: config.logLevel, base: { function: functionName } });
  const credentials = sharedCredentialsProvider({
    secretId: config.secretId,
    ttlMs: config.credentialsTtlMs,
    logger,
  });
  const metrics: MetricsScope = {
    sink: emfSink({
      namespace: config.metrics.namespace,
      onError: (error) => logger.warn('metrics.dropped', { error }),
    }),
    // Set by Lambda: the deployed name, which the stack's alarms and dashboard use.
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME || functionName,
    level: config.metrics.level,
  };
  return { logger, credentials, client: slsClientFor(config, { credentials, logger }), metrics };
}

/** Budget when the context does not say how much time is left (local runs, some tests). */
const FALLBACK_BUDGET_MS = 30_000;

/** The invocation's remaining time as a function, from the Lambda context or a fixed fallback. */
export function remainingTime(context: Context | undefined, now: () => number): () => number {
  if (typeof context?.getRemainingTimeInMillis === 'function')
    return () => context.getRemainingTimeInMillis();
  const end = now() + FALLBACK_BUDGET_MS;
  return () => end - now();
}
