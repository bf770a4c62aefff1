/**
 * The SecretString format: `{"accessKeyId": "...", "accessKeySecret": "...", "securityToken"?: "..."}`.
 * Other keys are allowed and ignored; nothing is trimmed (a value with a line break, a space or a
 * control character is refused). Errors name the secret and the field,
 * never a value: zod's issue messages and JSON.parse's SyntaxError can quote the input, so
 * neither is passed on, not even as a cause.
 */
import * as z from 'zod/mini';
import type { SlsCredentials } from '../sls/types.ts';
import { CredentialsError } from './errors.ts';

const nonEmpty = z.string().check(z.minLength(1));

/** Unknown keys are stripped (zod's default for objects). */
export const secretSchema = z.object({
  accessKeyId: nonEmpty,
  accessKeySecret: nonEmpty,
  securityToken: z.optional(z.string()),
});

const FIELDS = ['accessKeyId', 'accessKeySecret', 'securityToken'] as const;
type Field = (typeof FIELDS)[number];

function isField(key: unknown): key is Field {
  return typeof key === 'string' && (FIELDS as readonly string[]).includes(key);
}

/** What is wrong with one field, built from the issue's path and code only (never its message). */
function describe(field: Field, parsed: Record<string, unknown>): string {
  if (!Object.hasOwn(parsed, field)) return `field ${field} is missing`;
  return field === 'securityToken'
    ? `field ${field} must be a string`
    : `field ${field} must be a non-empty string`;
}

/**
 * Why a field's characters cannot be used, or undefined. accessKeyId and securityToken go into
 * HTTP headers, which cannot carry line breaks or control characters (undici refuses to send
 * them); AccessKeys and STS tokens are visible ASCII, so a space, a control or a non-ASCII
 * character in any field is a paste error that would otherwise surface as a refused request or
 * a wrong signature. Only the kind of character is named, never the value or its length.
 */
function characterProblem(value: string): string | undefined {
  if (/^\s/.test(value)) return 'starts with a line break or space';
  if (/\s$/.test(value)) return 'ends with a line break or space';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x7e) return 'contains a non-ASCII character';
    if (code <= 0x20 || code === 0x7f) return 'contains a space or control character';
  }
  return undefined;
}

/**
 * Parses a SecretString into credentials, or throws `CredentialsError` (`SecretNotJson` or
 * `SecretInvalid`) naming `secretId` and every problem found. An empty `securityToken` is
 * treated as absent. Values are checked, never trimmed: the secret is fixed where it is stored.
 */
export function parseSecret(secretId: string, secretString: string): SlsCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // The SyntaxError quotes the input: drop it, keep only the length as a hint.
    throw new CredentialsError(
      `secret "${secretId}" is not JSON (SecretString of ${secretString.length} characters); expected {"accessKeyId": "...", "accessKeySecret": "...", "securityToken"?: "..."}`,
      { code: 'SecretNotJson', secretId, retryable: false },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    throw new CredentialsError(`secret "${secretId}" must be a JSON object, got ${kind}`, {
      code: 'SecretInvalid',
      secretId,
      retryable: false,
    });
  }
  const result = z.safeParse(secretSchema, parsed);
  if (!result.success) {
    const problems = new Set<string>();
    for (const issue of result.error.issues) {
      const field = issue.path[0];
      problems.add(isField(field) ? describe(field, parsed as Record<string, unknown>) : 'unexpected shape');
    }
    throw new CredentialsError(`secret "${secretId}": ${[...problems].join('; ')}`, {
      code: 'SecretInvalid',
      secretId,
      retryable: false,
    });
  }
  const { accessKeyId, accessKeySecret, securityToken } = result.data;
  const problems = FIELDS.flatMap((field) => {
    const value = result.data[field];
    const problem = value ? characterProblem(value) : undefined;
    return problem === undefined
      ? []
      : [`field ${field} ${problem} (only visible ASCII characters are allowed)`];
  });
  if (problems.length > 0) {
    throw new CredentialsError(`secret "${secretId}": ${problems.join('; ')}`, {
      code: 'SecretInvalid',
      secretId,
      retryable: false,
    });
  }
  return securityToken ? { accessKeyId, accessKeySecret, securityToken } : { accessKeyId, accessKeySecret };
}

/** True when both hold the same key, secret and token (an empty token equals none). */
export function sameCredentials(a: SlsCredentials, b: SlsCredentials): boolean {
  return (
    a.accessKeyId === b.accessKeyId &&
    a.accessKeySecret === b.accessKeySecret &&
    (a.securityToken || undefined) === (b.securityToken || undefined)
  );
}

/** `****` plus the last 4 characters of a key id (all masked when it is short), for logs. */
export function maskAccessKeyId(accessKeyId: string): string {
  return accessKeyId.length >= 12 ? `****${accessKeyId.slice(-4)}` : '****';
}
