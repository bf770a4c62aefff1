/**
 * Turns zod issues into short messages that name the field and the problem. zod/mini carries no
 * locale (that keeps bundles small), so the wording is ours. Input values are never echoed:
 * they may be secrets or huge.
 */
import * as z from 'zod/mini';
import { type NameKind, nameProblem } from './sls/names.ts';

type Issue = z.core.$ZodIssue;

function fieldName(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  const joined = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
  // An array index alone says little: `HEARTBEAT_TARGETS[0].consumer`, not `[0].consumer`.
  return typeof path[0] === 'number' ? `${root}${joined}` : joined;
}

function problem(issue: Issue): string {
  // Our own schemas carry their wording; zod/mini's default text is just 'Invalid input'.
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      // Parsed with reportInput so a missing field can be told from a wrong one; never printed.
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'int') return 'must be an integer';
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') return `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} items`;
      return `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_format':
      return `must match the ${issue.format} format`;
    default:
      return 'is invalid';
  }
}

/** `field problem; field2 problem2` for the first few issues. Parse with `{ reportInput: true }`. */
export function formatIssues(issues: readonly Issue[], root = 'input', max = 5): string {
  const parts = issues.slice(0, max).map((issue) => `${fieldName(issue.path, root)} ${problem(issue)}`);
  if (issues.length > max) parts.push(`and ${issues.length - max} more`);
  return parts.join('; ');
}

/** A zod/mini string schema that enforces an SLS naming rule, with the rule's own wording. */
export function slsNameSchema(kind: NameKind) {
  return z.string().check(
    z.refine((v) => nameProblem(kind, v) === undefined, {
      error: (i) => nameProblem(kind, i.input) ?? 'is invalid',
    }),
  );
}
