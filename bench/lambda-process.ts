/**
 * How Lambda starts the functions' Node process, from serverless.yml: the NODE_OPTIONS the stack
 * sets, and the heap limits the nodejs24.x runtime's bootstrap derives from the memory size
 * (young generation 10% of it, semi-space half of that, old space the rest; a NODE_OPTIONS that
 * sets either limit itself turns this off). And a scratch folder for bundles, inside
 * node_modules so a bundle with an external package (the peer's native lz4) resolves it.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function serverlessYml(): string {
  return readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
}

/** The flags serverless.yml's provider-level NODE_OPTIONS gives every function (none when unset). */
export function deployedNodeFlags(): string[] {
  const value = /^ {4}NODE_OPTIONS: *(.*)$/m.exec(serverlessYml())?.[1]?.trim() ?? '';
  return value === '' ? [] : value.split(/\s+/);
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

/** Flags of a function's process as Lambda starts it: NODE_OPTIONS, then the runtime's heap limits. */
export function processFlags(nodeFlags: readonly string[]): string[] {
  return [...nodeFlags, ...lambdaHeapFlags(memorySizeMb(), nodeFlags)];
}

/** A fresh folder for this run's bundles, under node_modules/.cache. */
export function benchDir(name: string): string {
  const parent = join(ROOT, 'node_modules', '.cache', 'slscheckpoint-bench');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${name}-`));
}
