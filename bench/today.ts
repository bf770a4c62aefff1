/**
 * "Today": the deployed bundles as they were before issue 15 (main at cba3363), rebuilt in the
 * same run from the same sources, so the cold-start ratios compare like with like as the code
 * moves on. Three things differ from the deploy build, and only these:
 *
 * - the shared definition (serverless-esbuild.json) without issue 15's switches: the
 *   `esbuildDetection` define that leaves undici's Milo parser out, and the two `alias` entries
 *   that leave the SDK's unused defaults out (src/bundle/);
 * - src/sls/undici.ts built as `export { Agent } from 'undici'` (the package's entry point);
 * - src/credentials/secrets-client.ts built as the SDK's default client (NodeHttpHandler with
 *   today's options, the default credentials chain): bench/today/secrets-client.ts.
 *
 * It runs with today's NODE_OPTIONS (`--enable-source-maps`). docs/benchmarks.md gives this
 * rebuild's size and import time next to main's own build, measured once, to show it is faithful.
 */
import { resolve } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { deployPluginOptions, esbuildOptionsOf, outputBundle, type PluginOptions } from './deploy-build.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** NODE_OPTIONS in serverless.yml before issue 15. */
export const TODAY_NODE_FLAGS: readonly string[] = ['--enable-source-maps'];

/** Our source files built as they were, and what stands in for them. */
const REPLACED: Readonly<Record<string, string>> = {
  'src/sls/undici.ts': 'bench/today/undici.ts',
  'src/credentials/secrets-client.ts': 'bench/today/secrets-client.ts',
};

/** Issue 15's entries of the shared definition; missing ones fail loudly, so this stays true. */
const DEFINES = ['esbuildDetection'];
const ALIASES = ['@smithy/node-http-handler', '@aws-sdk/credential-provider-node'];

/** The shared definition without issue 15's switches. */
export function todayPluginOptions(): PluginOptions {
  const options = deployPluginOptions();
  const define = { ...options.define };
  const alias = { ...options.alias };
  for (const key of DEFINES) {
    if (!(key in define))
      throw new Error(`serverless-esbuild.json has no define ${key}: update bench/today.ts`);
    delete define[key];
  }
  for (const key of ALIASES) {
    if (!(key in alias))
      throw new Error(`serverless-esbuild.json has no alias ${key}: update bench/today.ts`);
    delete alias[key];
  }
  const { define: _d, alias: _a, ...rest } = options;
  return {
    ...rest,
    ...(Object.keys(define).length > 0 ? { define } : {}),
    ...(Object.keys(alias).length > 0 ? { alias } : {}),
  };
}

/** Points the replaced source files at their stand-ins. */
const replaceSources: Plugin = {
  name: 'today-sources',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      const relative = Object.keys(REPLACED).find((file) => resolve(ROOT, file) === target);
      return relative === undefined ? undefined : { path: resolve(ROOT, REPLACED[relative] as string) };
    });
  },
};

/** esbuild's options for today's bundles. */
export function todayEsbuildOptions(): BuildOptions {
  return { ...esbuildOptionsOf(todayPluginOptions()), logLevel: 'error', plugins: [replaceSources] };
}

/** Bundles one handler as it was deployed before issue 15, into `outdir`; resolves with its path. */
export async function buildAsToday(entry: string, outdir: string): Promise<string> {
  const result = await build({ ...todayEsbuildOptions(), entryPoints: [entry], outdir, metafile: true });
  for (const stand of Object.values(REPLACED)) {
    if (!Object.keys(result.metafile.inputs).includes(stand)) {
      throw new Error(`today's ${entry} did not use ${stand}: update bench/today.ts`);
    }
  }
  return outputBundle(result, entry);
}
