/**
 * How Lambda starts the functions' Node process, from serverless.yml: through the exec wrapper the
 * stack sets (AWS_LAMBDA_EXEC_WRAPPER), with the NODE_OPTIONS it sets, the nodejs24.x runtime
 * bootstrap's own node arguments, and the heap limits it derives from the memory size (young
 * generation 10% of it, semi-space half of that, old space the rest; the bench assumes a
 * NODE_OPTIONS that sets either limit wins over them). And a scratch folder for bundles, inside
 * node_modules so a bundle with an external package (the peer's native lz4) resolves it.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wrapperInZip } from '../scripts/serverless/exec-wrapper-check.mjs';

const ROOT = resolve(import.meta.dirname, '..');

let yml: string | undefined;
/** serverless.yml, read once: the cold-start loops ask for the flags hundreds of times. */
function serverlessYml(): string {
  yml ??= readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
  return yml;
}

/** The flags serverless.yml's provider-level NODE_OPTIONS gives every function (none when unset). */
export function deployedNodeFlags(): string[] {
  const value = /^ {4}NODE_OPTIONS: *(.*)$/m.exec(serverlessYml())?.[1]?.trim() ?? '';
  return value === '' ? [] : value.split(/\s+/);
}

/**
 * The exec wrapper serverless.yml starts the functions through (param `execWrapper`, a path under
 * /var/task), as a path in this checkout; undefined when the param is "".
 */
export function deployedExecWrapper(): string | undefined {
  const value = /^ {4}execWrapper: *(.*?)\s*(?:#.*)?$/m.exec(serverlessYml())?.[1];
  if (value === undefined) throw new Error('serverless.yml: params.default.execWrapper not found');
  const path = value.replace(/^["']|["']$/g, '');
  if (path === '') return undefined;
  const inZip = wrapperInZip(path);
  if (inZip === undefined) throw new Error(`serverless.yml: execWrapper ${path} is not in the zip`);
  return join(ROOT, inZip);
}

/** The provider's memorySize in MB. */
export function memorySizeMb(): number {
  const value = /^ {2}memorySize: *(\d+)\s*$/m.exec(serverlessYml())?.[1];
  if (value === undefined) throw new Error('serverless.yml: provider.memorySize not found');
  return Number(value);
}

/** The runtime's heap flags for `memoryMb`, unless `nodeFlags` set a limit themselves. */
export function lambdaHeapFlags(memoryMb: number, nodeFlags: readonly string[]): string[] {
  if (nodeFlags.some((f) => /^--max[-_](semi|old)[-_]space[-_]size/.test(f))) return [];
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/**
 * The node arguments the runtime's bootstrap always passes, before the heap limits. They matter
 * to a cold start: any V8 flag (its own `--expose-gc` included) makes Node compile its built-in
 * modules without their embedded code cache, about a quarter more import time here; further V8
 * flags (the exec wrapper's) then add nothing (docs/benchmarks.md).
 */
export const RUNTIME_NODE_ARGS = ['--expose-gc', '--max-http-header-size', '81920'] as const;

/**
 * Flags of a function's process as Lambda starts it: NODE_OPTIONS, then the runtime's own
 * arguments and heap limits.
 */
export function processFlags(nodeFlags: readonly string[]): string[] {
  return [...nodeFlags, ...RUNTIME_NODE_ARGS, ...lambdaHeapFlags(memorySizeMb(), nodeFlags)];
}

/** A fresh folder for this run's bundles, under node_modules/.cache. */
export function benchDir(name: string): string {
  const parent = join(ROOT, 'node_modules', '.cache', 'slscheckpoint-bench');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${name}-`));
}
