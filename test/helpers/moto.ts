/**
 * A real Secrets Manager on 127.0.0.1: a vitest globalSetup that starts `moto_server` on a free
 * port, waits until it answers, `provide`s its URL as `motoEndpoint`, and stops it at teardown.
 *
 * When moto_server is missing or does not start, the whole run fails here, once, with the reason
 * and the install line (`npm test` checks for it even earlier: scripts/local/preflight.ts).
 */
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { startMotoServer } from '../../scripts/local/moto.ts';

export { resetMoto } from '../../scripts/local/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:PORT` of the running moto_server. */
    motoEndpoint: string;
  }
}

/** vitest globalSetup: start moto_server, provide its URL, return the teardown. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMotoServer();
  project.provide('motoEndpoint', server.endpoint);
  return () => server.stop();
}

/** The URL of the moto_server the globalSetup started. */
export function motoEndpointOrFail(): string {
  const endpoint = inject('motoEndpoint');
  if (!endpoint) throw new Error('moto_server is not running: is test/helpers/moto.ts the globalSetup?');
  return endpoint;
}
