/** `npm test`'s first step: one line and a failing exit when a tool the tests need is missing. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingToolsMessage } from '../../../scripts/local/tools.ts';
import { runProcess } from '../../helpers/process.ts';

const dirs: string[] = [];

/** A PATH of one folder holding empty executables with these names. */
function pathWith(...tools: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'slscheckpoint-path-'));
  dirs.push(dir);
  for (const tool of tools) {
    writeFileSync(join(dir, tool), '#!/bin/sh\n');
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('preflight', () => {
  it('names each missing tool and the one pip line that installs them all', () => {
    expect(missingToolsMessage(pathWith())).toBe(
      "moto_server, cfn-lint and aws not found on PATH: pip install 'moto[server]' awscli (moto's server extra brings moto_server and cfn-lint; .ci/run does this)",
    );
    expect(missingToolsMessage(pathWith('moto_server', 'aws'))).toMatch(
      /^cfn-lint not found on PATH: pip install/,
    );
    expect(missingToolsMessage(pathWith('cfn-lint', 'aws'))).toMatch(
      /^moto_server not found on PATH: pip install/,
    );
    expect(missingToolsMessage(pathWith('cfn-lint'))).toMatch(/^moto_server and aws not found on PATH/);
    expect(missingToolsMessage(pathWith('moto_server', 'cfn-lint', 'aws'))).toBe('');
  });

  it('ignores a file of that name that is not executable', () => {
    const dir = pathWith('moto_server', 'cfn-lint', 'aws');
    chmodSync(join(dir, 'cfn-lint'), 0o644);
    expect(missingToolsMessage(dir)).toMatch(/^cfn-lint not found/);
  });

  it('as a script: exits 1 with exactly one line when a tool is missing, silently 0 otherwise', async () => {
    const script = 'scripts/local/preflight.ts';
    const missing = await runProcess(process.execPath, [script], {
      env: { PATH: pathWith('moto_server', 'aws') },
    });
    expect(missing.code).toBe(1);
    expect(missing.output.trimEnd().split('\n')).toEqual([
      "npm test: cfn-lint not found on PATH: pip install 'moto[server]' awscli (moto's server extra brings moto_server and cfn-lint; .ci/run does this)",
    ]);
    const present = await runProcess(process.execPath, [script], {
      env: { PATH: pathWith('moto_server', 'cfn-lint', 'aws') },
    });
    expect({ code: present.code, output: present.output }).toEqual({ code: 0, output: '' });
  });
});
