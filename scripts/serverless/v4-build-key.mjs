/**
 * A local Serverless plugin that lets osls (and Serverless v3) accept the top-level `build` key of
 * Serverless Framework v4, so one serverless.yml serves both.
 *
 * serverless.yml says `build: { esbuild: false }`: v4 then leaves bundling to serverless-esbuild
 * (as osls does) instead of running its built-in esbuild as well. osls validates the
 * configuration strictly and knows no `build` key; this defines it (only `esbuild: false`), and
 * osls ignores it. v4 defines `build` itself, so there this plugin does nothing.
 */
export default class AcceptV4BuildKey {
  /** @param {{ configSchemaHandler?: { schema?: { properties?: Record<string, unknown> }, defineTopLevelProperty(name: string, schema: object): void } }} serverless */
  constructor(serverless) {
    const handler = serverless.configSchemaHandler;
    if (handler?.schema?.properties === undefined || 'build' in handler.schema.properties) return;
    handler.defineTopLevelProperty('build', {
      type: 'object',
      properties: { esbuild: { const: false } },
      additionalProperties: false,
    });
  }
}
