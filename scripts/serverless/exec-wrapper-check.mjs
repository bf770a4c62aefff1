/**
 * A local Serverless plugin that stops packaging when the exec wrapper the functions would start
 * through (AWS_LAMBDA_EXEC_WRAPPER, a file under /var/task) is not fit to run. Lambda's bootstrap
 * refuses a wrapper that is missing (exit 127) or not executable (126), and a `#!/bin/sh` line
 * with a Windows line ending fails too: every invocation would then fail at init. The zip takes
 * the file's mode from the checkout (serverless-esbuild), so a checkout on Windows, or one that
 * lost the execute bit or got CRLF endings, must fail here rather than in Lambda.
 *
 * Runs before serverless-esbuild packages (it is listed first in serverless.yml). A wrapper
 * outside /var/task (a layer's, under /opt) or none (`execWrapper: ""`) is not checked.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const TASK_ROOT = '/var/task/';

/**
 * The path inside the function's zip of an AWS_LAMBDA_EXEC_WRAPPER value, or undefined when it
 * names no file there (none, or a layer's under /opt).
 * @param {unknown} value
 * @returns {string | undefined}
 */
export function wrapperInZip(value) {
  return typeof value === 'string' && value.startsWith(TASK_ROOT) ? value.slice(TASK_ROOT.length) : undefined;
}

/**
 * What keeps the file at `file` from running as an exec wrapper, or undefined when nothing does.
 * @param {string} file
 * @returns {string | undefined}
 */
export function wrapperProblem(file) {
  let mode;
  try {
    mode = statSync(file).mode;
  } catch {
    return 'does not exist';
  }
  if ((mode & 0o111) !== 0o111) return `is not executable (mode ${(mode & 0o777).toString(8)}, needs 755)`;
  if (readFileSync(file, 'utf8').includes('\r')) return 'has Windows line endings (CRLF)';
  return undefined;
}

/**
 * The exec wrappers the functions name, as paths in the service: provider-level and per function.
 * @param {{ service: { provider: { environment?: Record<string, unknown> }, getAllFunctions(): string[], getFunction(name: string): { environment?: Record<string, unknown> } } }} serverless
 * @returns {Set<string>}
 */
function wrappersInTask(serverless) {
  const { service } = serverless;
  const values = [
    service.provider.environment?.AWS_LAMBDA_EXEC_WRAPPER,
    ...service
      .getAllFunctions()
      .map((name) => service.getFunction(name).environment?.AWS_LAMBDA_EXEC_WRAPPER),
  ];
  return new Set(values.map(wrapperInZip).filter((path) => path !== undefined));
}

export default class CheckExecWrapper {
  /** @param {any} serverless */
  constructor(serverless) {
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.check(serverless),
    };
  }

  /** @param {any} serverless */
  check(serverless) {
    const root = serverless.serviceDir ?? process.cwd();
    for (const path of wrappersInTask(serverless)) {
      const problem = wrapperProblem(join(root, path));
      if (problem === undefined) continue;
      const ErrorClass = serverless.classes?.Error ?? Error;
      throw new ErrorClass(
        `execWrapper: ${path} ${problem}, so Lambda could not start the functions through it. ` +
          'Package from a git checkout on Linux or macOS (it is 755 with LF endings there: ' +
          `chmod 755 ${path} restores it), or set execWrapper: "" under params.<stage> to start without it.`,
      );
    }
  }
}
