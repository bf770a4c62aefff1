/**
 * undici's `Agent` with its promise `request`: the only parts of undici this service uses, loaded
 * from the two files that define them instead of from the package's entry point.
 *
 * Why: `import { Agent } from 'undici'` loads all of undici at every cold start (fetch, WebSocket,
 * EventSource, caches, mock agents, proxy agents, HTTP/2), over half of each deployed bundle; the
 * entry point only gathers these files and puts the `request` API on the dispatcher prototype.
 * `lib/...` is not a supported entry point (undici has no `exports` map, so Node and esbuild
 * resolve it): test/unit/sls/undici.test.ts fails when an upgrade moves or changes either file,
 * and docs/development.md lists it with the build's other switches.
 */
import type { Agent as PublicAgent } from 'undici';
import request from 'undici/lib/api/api-request.js';
import AgentClass from 'undici/lib/dispatcher/agent.js';

/** undici's Agent, with `request` as the package's entry point adds it. */
export const Agent: typeof PublicAgent = class Agent extends AgentClass {};
// What the entry point does for every dispatcher (Object.assign(Dispatcher.prototype, api)),
// done here for our subclass only.
Object.defineProperty(Agent.prototype, 'request', { value: request, writable: true, configurable: true });
