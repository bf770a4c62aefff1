/**
 * SLS naming rules, checked before any request so a name can never change the request's path
 * or query (none of the allowed characters needs URL encoding).
 */
import { SlsValidationError } from './errors.ts';

interface NameRule {
  readonly pattern: RegExp;
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

const RULES = {
  project: {
    pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/,
    min: 3,
    max: 63,
    description: 'lower-case letters, digits and hyphens, starting and ending with a letter or digit',
  },
  logstore: {
    pattern: /^[a-z0-9][a-z0-9_-]*[a-z0-9]$/,
    min: 3,
    max: 63,
    description:
      'lower-case letters, digits, hyphens and underscores, starting and ending with a letter or digit',
  },
  // SLS documents no charset for groups; this is the official Java SDK's own check.
  consumerGroup: {
    pattern: /^[A-Za-z0-9_-]+$/,
    min: 1,
    max: 128,
    description: 'letters, digits, hyphens and underscores',
  },
  // Undocumented in SLS; kept to characters that need no URL encoding in the query.
  consumer: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    min: 1,
    max: 128,
    description: 'letters, digits, dots, hyphens and underscores, starting with a letter or digit',
  },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof RULES;

/** Returns why `value` is not a valid SLS name of this kind, or undefined when it is. */
export function nameProblem(kind: NameKind, value: unknown): string | undefined {
  const rule: NameRule = RULES[kind];
  if (typeof value !== 'string') return `must be a string, got ${typeof value}`;
  if (value.length < rule.min || value.length > rule.max) {
    return `must be ${rule.min} to ${rule.max} characters long, got ${value.length}`;
  }
  if (!rule.pattern.test(value)) return `may contain only ${rule.description}`;
  return undefined;
}

/** Throws `SlsValidationError` naming the field when `value` breaks the naming rule. */
export function assertName(kind: NameKind, value: unknown, field: string = kind): asserts value is string {
  const problem = nameProblem(kind, value);
  if (problem !== undefined) {
    throw new SlsValidationError(`${field} ${JSON.stringify(String(value)).slice(0, 80)} ${problem}`);
  }
}

/** A consumer group as logs, errors and metrics name it: `project/logstore/group` (names cannot hold `/`). */
export function groupName(group: {
  readonly project: string;
  readonly logstore: string;
  readonly consumerGroup: string;
}): string {
  return `${group.project}/${group.logstore}/${group.consumerGroup}`;
}
