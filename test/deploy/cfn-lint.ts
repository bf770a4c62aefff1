/**
 * cfn-lint, AWS's CloudFormation linter (installed with moto's server extra), over the packaged
 * templates of every stage: no error, no warning, and no informational finding but those
 * explained below. (moto's CloudFormation refuses a template with any error or warning.)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allVariants, type Variants } from './packaging.ts';

interface Finding {
  readonly Filename: string;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: (string | number)[] };
}

/** Informational findings we keep, each with the reason; `at` is Section/Name. */
const EXPLAINED = [
  {
    rule: 'I1022',
    at: 'Resources/ServerlessDeploymentBucketPolicy',
    why: "prefer Fn::Sub to Fn::Join: the framework's own deployment-bucket policy, not written here",
  },
  ...['HeartbeatLogGroup', 'CheckpointLogGroup'].map((resource) => ({
    rule: 'I3011',
    at: `Resources/${resource}`,
    why:
      'no DeletionPolicy on a stateful resource: the log groups go with the stack on purpose; a ' +
      'retained one would make the next deploy of the stage fail, since its name would exist',
  })),
];

const LINT_TIMEOUT_MS = 90_000;

/** Runs cfn-lint with informational checks on; resolves with its findings (it exits non-zero on any). */
function cfnLint(files: readonly string[]): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'cfn-lint',
      ['--format', 'json', '--include-checks', 'I', '--', ...files],
      { maxBuffer: 16 * 1024 * 1024, timeout: LINT_TIMEOUT_MS - 5_000 },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as Finding[]);
        } catch {
          reject(new Error(`cfn-lint gave no JSON (${error?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

const describeFinding = (f: Finding) =>
  `${f.Filename} ${f.Level} ${f.Rule.Id} at ${f.Location.Path.join('/')}: ${f.Message}`;

/**
 * Registers the linter test over every variant's packaged templates. The linter starts at once and
 * runs while the other deploy tests do; its tests wait for it.
 */
export function describeCfnLint(variants: () => Variants): void {
  let files: string[];
  let linting: Promise<Finding[]>;

  beforeAll(() => {
    const all = allVariants(variants());
    files = [
      join(all[0]?.out ?? '', 'cloudformation-template-create-stack.json'),
      ...all.map((v) => join(v.out, 'cloudformation-template-update-stack.json')),
    ];
    linting = cfnLint(files);
    // Awaited by the tests; this only keeps an early failure from counting as unhandled.
    linting.catch(() => undefined);
  });

  describe('cfn-lint', () => {
    it(
      'finds no error and no warning in the template of any stage',
      async () => {
        expect(files).toHaveLength(5);
        const serious = (await linting).filter((f) => f.Level !== 'Informational').map(describeFinding);
        expect(serious).toEqual([]);
      },
      LINT_TIMEOUT_MS,
    );

    it('finds no informational finding but the explained ones', async () => {
      const findings = await linting;
      const where = (f: Finding) => `${f.Location.Path[0]}/${f.Location.Path[1]}`;
      const unexplained = findings.filter(
        (f) => !EXPLAINED.some((e) => e.rule === f.Rule.Id && e.at === where(f)),
      );
      expect(unexplained.map(describeFinding)).toEqual([]);
      // Each explanation still applies somewhere (drop it once cfn-lint no longer reports it).
      for (const e of EXPLAINED) {
        expect(
          findings.some((f) => f.Rule.Id === e.rule && where(f) === e.at),
          `${e.rule} ${e.at}`,
        ).toBe(true);
      }
    });
  });
}
