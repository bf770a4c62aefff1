/**
 * The SecretString format: `{"accessKeyId": "...", "accessKeySecret": "...", "securityToken"?: "..."}`.
 * Other keys are allowed and ignored; nothing is trimmed. Errors name the secret and the field,
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
 * Parses a SecretString into credentials, or throws `CredentialsError` (`SecretNotJson` or
 * `SecretInvalid`) naming `secretId` and every problem found. An empty `securityToken` is
 * treated as absent.
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
