/**
 * The deployed bundle, built without the Serverless Framework: esbuild with the options in
 * serverless-esbuild.json (the file serverless.yml reads), turned into esbuild's options the way
 * serverless-esbuild does it. test/deploy checks that this builds the very bytes `osls package`
 * ships, so the cold-start bench measures what runs in Lambda.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, type BuildResult, build } from 'esbuild';

/** serverless-esbuild's options: esbuild's, plus a few of the plugin's own. */
export interface PluginOptions extends BuildOptions {
  /** Packages left out of the bundle (the plugin installs them instead); '*' leaves none out. */
  readonly exclude?: string[];
  readonly packager?: string;
  readonly outputFileExtension?: string;
}

const OPTIONS_FILE = new URL('../serverless-esbuild.json', import.meta.url);

/** The options serverless.yml deploys with (`custom.esbuild: ${file(./serverless-esbuild.json)}`). */
export function deployPluginOptions(): PluginOptions {
  return JSON.parse(readFileSync(OPTIONS_FILE, 'utf8')) as PluginOptions;
}

/**
 * What serverless-esbuild passes to esbuild for these options: its own keys removed, `exclude`
 * added to `external`, `outputFileExtension` as `outExtension`.
 */
export function esbuildOptionsOf(plugin: PluginOptions): BuildOptions {
  const { exclude = [], packager: _packager, outputFileExtension = '.js', ...options } = plugin;
  return {
    ...options,
    external: [...(options.external ?? []), ...(exclude.includes('*') ? [] : exclude)],
    ...(outputFileExtension === '.js' ? {} : { outExtension: { '.js': outputFileExtension } }),
  };
}

/** esbuild's options for the deployed bundles (entry points and output left to the caller). */
export function deployEsbuildOptions(): BuildOptions {
  return { ...esbuildOptionsOf(deployPluginOptions()), logLevel: 'error' };
}

/** Bundles one handler as the deploy does, into `outdir`; resolves with the bundle's path. */
export async function buildAsDeployed(entry: string, outdir: string): Promise<string> {
  const result = await build({ ...deployEsbuildOptions(), entryPoints: [entry], outdir, metafile: true });
  return outputBundle(result, entry);
}

/** The path of the bundle (not its map) a one-entry build wrote. */
export function outputBundle(result: BuildResult<{ metafile: true }>, entry: string): string {
  const [bundle] = Object.keys(result.metafile.outputs).filter((file) => !file.endsWith('.map'));
  if (bundle === undefined) throw new Error(`esbuild wrote no bundle for ${entry}`);
  return join(process.cwd(), bundle);
}
