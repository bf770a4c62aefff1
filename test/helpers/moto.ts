/**
 * A real Secrets Manager on 127.0.0.1: a vitest globalSetup that starts `moto_server` on a free
 * port, waits until it answers, `provide`s its URL as `motoEndpoint`, and stops it at teardown.
 *
 * When moto_server is missing or does not start, the unit tests still run: the reason is
 * provided as `motoError` and `motoEndpointOrFail()` (called by the integration tests) fails
 * with it.
 */
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { startMotoServer } from '../../scripts/local/moto.ts';

export { resetMoto } from '../../scripts/local/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:PORT` of the running moto_server, or '' when it is not running. */
    motoEndpoint: string;
    /** Why moto_server is not running ('' when it is). */
    motoError: string;
  }
}

/** vitest globalSetup: start moto_server, provide its URL, return the teardown. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: Awaited<ReturnType<typeof startMotoServer>> | undefined;
  try {
    server = await startMotoServer();
    project.provide('motoEndpoint', server.endpoint);
    project.provide('motoError', '');
  } catch (error) {
    project.provide('motoEndpoint', '');
    project.provide('motoError', error instanceof Error ? error.message : String(error));
  }
  return async () => {
    await server?.stop();
  };
}

/** The moto URL for integration tests; throws with the reason (and how to fix it) when absent. */
export function motoEndpointOrFail(): string {
  const endpoint = inject('motoEndpoint');
  if (!endpoint) throw new Error(`moto_server is not running: ${inject('motoError') || 'unknown reason'}`);
  return endpoint;
}
