/**
 * Types for the two undici files `undici.ts` loads directly. They are the very objects the
 * package's entry point exports as `Agent` and `Dispatcher.prototype.request`
 * (test/unit/sls/undici.test.ts checks that), so they take the public types.
 */
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';

  const AgentClass: typeof Agent;
  export = AgentClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';

  function request<TOpaque = null>(
    this: Dispatcher,
    options: Dispatcher.RequestOptions<TOpaque>,
  ): Promise<Dispatcher.ResponseData<TOpaque>>;
  export = request;
}
