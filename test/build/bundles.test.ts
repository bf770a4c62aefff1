/**
 * The deployed bundles, built from the one shared definition (serverless-esbuild.json) as the
 * deploy builds them, checked for what the cold-start work relies on beyond public APIs, so an
 * upgrade that breaks it fails here, loudly (docs/development.md, "What the build relies on"):
 *
 * - undici enters by its own files (src/sls/undici.ts), never by its entry point;
 * - the `esbuildDetection` define leaves undici's optional Milo parser out;
 * - the `alias` stand-ins (src/bundle/) replace the SDK's default HTTP handler and credentials
 *   chain, which the code never uses, and nothing of those two packages is left;
 *
 * and then each bundle runs one cold invocation in a fresh Node process, started through the exec
 * wrapper as deployed, against moto_server and the SLS emulator: the secret read through the
 * undici handler, the SLS request signed with it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ColdServices, checkpointBatch, SHARDS, startColdServices } from '../../bench/cold-services.ts';
import { deployEsbuildOptions } from '../../bench/deploy-build.ts';
import { coldRun } from '../../bench/fresh-process.ts';
import { benchDir, deployedExecWrapper } from '../../bench/lambda-process.ts';
import { todayEsbuildOptions } from '../../bench/today.ts';

const FUNCTIONS = ['heartbeat', 'checkpoint'] as const;

/** Packages the stand-ins replace, and what only they brought in. */
const LEFT_OUT = [
  'node_modules/@smithy/node-http-handler/',
  'node_modules/@aws-sdk/credential-provider-node/',
  'node_modules/@aws-sdk/credential-provider-ini/',
  'node_modules/@aws-sdk/credential-provider-sso/',
  'node_modules/@aws-sdk/credential-provider-process/',
  'node_modules/@aws-sdk/credential-provider-web-identity/',
  'node_modules/@aws-sdk/credential-provider-http/',
  'node_modules/@smithy/credential-provider-imds/',
  'node_modules/@aws-sdk/nested-clients/',
  'node_modules/undici/index.js',
  'node_modules/undici/lib/milo/',
  'node_modules/undici/lib/dispatcher/parser-h1.js',
];

let dir: string;
const built = new Map<string, { file: string; metafile: Metafile }>();

beforeAll(async () => {
  dir = benchDir('bundles-test');
  for (const name of FUNCTIONS) {
    const result = await build({
      ...deployEsbuildOptions(),
      entryPoints: [`src/handlers/${name}.ts`],
      outdir: dir,
      metafile: true,
    });
    built.set(name, { file: join(dir, `${name}.mjs`), metafile: result.metafile });
  }
}, 60_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const inputsOf = (name: string) => Object.keys(built.get(name)?.metafile.inputs ?? {});

describe.each(FUNCTIONS)('the deployed %s bundle', (name) => {
  it('takes undici by its own files, with HTTP/1 on llhttp and without the Milo parser', () => {
    const inputs = inputsOf(name);
    expect(inputs).toContain('node_modules/undici/lib/dispatcher/agent.js');
    expect(inputs).toContain('node_modules/undici/lib/api/api-request.js');
    expect(inputs).toContain('node_modules/undici/lib/dispatcher/client-h1.js');
    expect(inputs).toContain('node_modules/undici/lib/llhttp/llhttp-wasm.js');
    // The define removes the only require of parser-h1 (Milo): undici still tests `esbuildDetection`.
    expect(inputs.filter((i) => LEFT_OUT.some((out) => i.startsWith(out)))).toEqual([]);
  });

  it("has the SDK's default HTTP handler and credentials chain replaced by the stand-ins", () => {
    const inputs = inputsOf(name);
    // Still imported by the SDK (else the alias would be dead weight), and replaced.
    expect(inputs).toContain('src/bundle/node-http-handler.ts');
    expect(inputs).toContain('src/bundle/credential-provider-node.ts');
    expect(inputs).toContain('node_modules/@aws-sdk/credential-provider-env/dist-es/fromEnv.js');
  });

  it('loads no https, http2 or child_process client at import', () => {
    const output = Object.entries(built.get(name)?.metafile.outputs ?? {}).find(([file]) =>
      file.endsWith('.mjs'),
    );
    const imported = (output?.[1].imports ?? [])
      .filter((i) => i.external && i.kind === 'import-statement')
      .map((i) => i.path);
    expect(imported).toContain('node:crypto');
    expect(imported.filter((p) => /^node:(https|http2|child_process)$/.test(p))).toEqual([]);
  });
});

describe('the bundles as they were before issue 15 (the bench baseline, bench/today.ts)', () => {
  it('differ exactly there: the whole of undici, the Milo parser and the SDK defaults', async () => {
    const result = await build({
      ...todayEsbuildOptions(),
      entryPoints: ['src/handlers/checkpoint.ts'],
      outdir: join(dir, 'today'),
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toEqual(
      expect.arrayContaining(['node_modules/undici/index.js', 'bench/today/secrets-client.ts']),
    );
    for (const out of ['node_modules/@smithy/node-http-handler/', 'node_modules/undici/lib/milo/'])
      expect(inputs.some((i) => i.startsWith(out))).toBe(true);
    expect(inputs.filter((i) => i.startsWith('src/bundle/'))).toEqual([]);
  });
});

describe('one cold invocation of each bundle, against moto_server and the SLS emulator', () => {
  let services: ColdServices;

  beforeAll(async () => {
    services = await startColdServices();
  }, 30_000);

  afterAll(async () => {
    await services?.close();
  });

  it('checkpoint: reads the secret, then lands an SQS batch with one signed request per shard', async () => {
    services.emulator.clearRequests();
    const records = 2 * SHARDS + 3;
    const run = await coldRun(built.get('checkpoint')?.file ?? '', {
      env: services.env,
      wrapper: deployedExecWrapper(),
      eventFile: services.eventFile('build-test-batch', checkpointBatch(records)),
      budgetMs: 30_000,
    });
    expect(run).toMatchObject({ failures: 0 });
    expect(run.error).toBeUndefined();
    const updates = services.emulator.requests.filter((r) => r.operation === 'checkpoint');
    expect(updates).toHaveLength(SHARDS);
    // Signed with the key from the secret: the emulator verified each signature.
    expect(new Set(updates.map((r) => `${r.status} ${r.signature}`))).toEqual(new Set(['200 v1-hmac-sha1']));
  });

  it('heartbeat: reads the secret, then beats', async () => {
    services.emulator.clearRequests();
    const run = await coldRun(built.get('heartbeat')?.file ?? '', {
      env: services.env,
      wrapper: deployedExecWrapper(),
      eventFile: services.eventFile('build-test-schedule', {}),
      budgetMs: 9_000,
    });
    expect(run.error).toBeUndefined();
    // A cold start may first read the group's checkpoints to recover the shards it held.
    const seen = services.emulator.requests.map((r) => `${r.operation} ${r.status}`);
    expect(seen.at(-1)).toBe('heartbeat 200');
    expect(seen.filter((r) => r !== 'getCheckpoint 200' && r !== 'heartbeat 200')).toEqual([]);
  });
});
