/**
 * The tools from outside npm that the tests and the local run need: `moto_server` (a local
 * Secrets Manager and CloudFormation) and `cfn-lint`, both installed by `pip install
 * 'moto[server]'`, and the AWS CLI (`aws`), whose commands the docs test runs against moto.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The one install line for all of them (cfn-lint is a dependency of moto's server extra). */
export const INSTALL_HINT =
  "pip install 'moto[server]' awscli (moto's server extra brings moto_server and cfn-lint; .ci/run does this)";

/** The executables `npm test` needs on PATH. */
export const TEST_TOOLS = ['moto_server', 'cfn-lint', 'aws'] as const;

/** The full path of an executable on PATH, or undefined. */
export function onPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The one line that says what is missing and how to install it, or '' when nothing is. */
export function missingToolsMessage(path = process.env.PATH ?? ''): string {
  const missing = TEST_TOOLS.filter((tool) => onPath(tool, path) === undefined);
  if (missing.length === 0) return '';
  const names =
    missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
  return `${names} not found on PATH: ${INSTALL_HINT}`;
}
