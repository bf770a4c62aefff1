/** Types of exec-wrapper-check.mjs, a Serverless plugin kept in plain JavaScript so any Node loads it. */

/** The path inside the function's zip of an AWS_LAMBDA_EXEC_WRAPPER value, or undefined (none, or a layer's). */
export function wrapperInZip(value: unknown): string | undefined;

/** What keeps the file at `file` from running as an exec wrapper, or undefined when nothing does. */
export function wrapperProblem(file: string): string | undefined;

/** Refuses, before packaging, an exec wrapper under /var/task that Lambda could not run. */
export default class CheckExecWrapper {
  constructor(serverless: unknown);
  readonly hooks: Record<string, () => void>;
  check(serverless: unknown): void;
}
