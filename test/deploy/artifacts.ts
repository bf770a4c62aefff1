/** The function zips `osls package` writes: what each holds, that it loads, that the bench builds it. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAsDeployed } from '../../bench/deploy-build.ts';
import { wrapperInZip } from '../../scripts/serverless/exec-wrapper-check.mjs';
import { runProcess } from '../helpers/process.ts';
import { environmentOf, functionZip, type Packaged, type Variants, workDir } from './packaging.ts';

/** Far above the bundles (about 0.55 MB each); catches a dependency pulled in by mistake. */
const MAX_BUNDLE_BYTES = 1024 * 1024;

/** The exec wrapper's path in each zip (serverless.yml's `execWrapper`, under /var/task). */
const EXEC_WRAPPER = 'lambda/exec-wrapper.sh';

/**
 * Imports a bundle with Node 24 in a child process, as the Lambda runtime would at cold start
 * (`env` is the function's environment: a NODE_OPTIONS there applies), started through `wrapper`
 * when given, as the runtime's bootstrap does with AWS_LAMBDA_EXEC_WRAPPER.
 */
async function importBundle(file: string, env: Record<string, string>, wrapper?: string): Promise<string> {
  const probe =
    'const m = await import(process.argv[1]); console.log(JSON.stringify(Object.keys(m).sort()), typeof m.handler);';
  const args = ['--input-type=module', '-e', probe, file];
  const { code, output } = await runProcess(
    wrapper ?? process.execPath,
    wrapper === undefined ? args : [process.execPath, ...args],
    { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env } },
  );
  if (code !== 0) throw new Error(`importing ${file} failed (${code}):\n${output}`);
  return output.trim();
}

/** Registers the artifact tests of the packaged `test` stage. */
export function describeArtifacts(variants: () => Variants): void {
  let test: Packaged;
  beforeAll(() => {
    ({ test } = variants());
  });

  describe('artifacts', () => {
    const functions = [
      { id: 'HeartbeatLambdaFunction', name: 'heartbeat', other: 'checkpoint' },
      { id: 'CheckpointLambdaFunction', name: 'checkpoint', other: 'heartbeat' },
    ] as const;

    it.each(functions)(
      'the $name zip holds its own bundle, source map and the exec wrapper only',
      ({ id, name, other }) => {
        const { file, entries } = functionZip(test, id);
        expect(entries.map((e) => e.name).sort()).toEqual([
          EXEC_WRAPPER,
          `src/handlers/${name}.mjs`,
          `src/handlers/${name}.mjs.map`,
        ]);
        // Executable: the runtime refuses to start through a wrapper that is not (exit 126).
        expect(entries.find((e) => e.name === EXEC_WRAPPER)?.unixMode).toBe(0o755);
        expect(environmentOf(test.template, id).AWS_LAMBDA_EXEC_WRAPPER).toBe(`/var/task/${EXEC_WRAPPER}`);
        const bundleEntry = entries.find((e) => e.name.endsWith('.mjs'));
        const bytes = bundleEntry?.read() ?? Buffer.alloc(0);
        expect(bytes.length).toBe(bundleEntry?.size);
        const bundle = bytes.toString('utf8');
        expect(bundleEntry?.size).toBeLessThan(MAX_BUNDLE_BYTES);
        // ESM with a `require` for the CommonJS dependencies; minified; linked to its map.
        expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(
          true,
        );
        expect(bundle.trimEnd().endsWith(`//# sourceMappingURL=${name}.mjs.map`)).toBe(true);
        // Minified: the handler module's local names are gone.
        expect(bundle).not.toContain('handlerFromEnv');
        // Its own handler's log events, not the other function's.
        expect(bundle).toContain(`${name}.summary`);
        expect(bundle).not.toContain(`${other}.summary`);
        const map = JSON.parse(
          entries
            .find((e) => e.name.endsWith('.map'))
            ?.read()
            .toString('utf8') ?? '{}',
        ) as {
          sources: string[];
          sourcesContent?: unknown;
        };
        expect(map.sources).toContainEqual(expect.stringMatching(new RegExp(`src/handlers/${name}\\.ts$`)));
        expect(map.sources.filter((s) => s.includes(`src/handlers/${other}.ts`))).toEqual([]);
        // The operator CLI and its libraries stay out of the functions.
        expect(
          map.sources.filter((s) => /src\/cli\/|node_modules\/(commander|cli-table3|picocolors)\//.test(s)),
        ).toEqual([]);
        expect(map.sourcesContent).toBeUndefined();

        const mapEntry = entries.find((e) => e.name.endsWith('.map'));
        console.info(
          `${name}: ${basename(file)} ${readFileSync(file).length} bytes; ${name}.mjs ${bundleEntry?.size} bytes, ` +
            `${name}.mjs.map ${mapEntry?.size} bytes`,
        );
      },
    );

    it.each(functions)(
      'the cold-start bench builds the very $name bundle that ships',
      async ({ id, name }) => {
        const shipped = functionZip(test, id).entries.find((e) => e.name === `src/handlers/${name}.mjs`);
        const dir = workDir(`bench-${name}`);
        const built = await buildAsDeployed(`src/handlers/${name}.ts`, dir);
        expect(basename(built)).toBe(`${name}.mjs`);
        const bytes = readFileSync(built);
        const shippedBytes = shipped?.read() ?? Buffer.alloc(0);
        expect(bytes.length).toBe(shippedBytes.length);
        expect(bytes.equals(shippedBytes)).toBe(true);
      },
    );

    it.each(functions)(
      "the $name bundle loads on Node 24, started through the zip's exec wrapper, and exports its handler",
      async ({ id, name }) => {
        const { entries } = functionZip(test, id);
        const dir = workDir(name);
        for (const entry of entries) {
          mkdirSync(dirname(join(dir, entry.name)), { recursive: true });
          writeFileSync(join(dir, entry.name), entry.read(), { mode: entry.unixMode ?? 0o644 });
        }
        const env = environmentOf(test.template, id);
        // The zip unpacked here stands for /var/task.
        const inZip = wrapperInZip(env.AWS_LAMBDA_EXEC_WRAPPER);
        const wrapper = inZip === undefined ? undefined : join(dir, inZip);
        const output = await importBundle(join(dir, `src/handlers/${name}.mjs`), env, wrapper);
        expect(output).toMatch(/"handler".* function$/);
      },
    );
  });
}
