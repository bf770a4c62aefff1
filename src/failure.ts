/** Reading what was thrown, whatever it was: our typed errors, the SDK's, or a non-Error value. */

/** The stable `code` of a thrown value (SLS and credentials errors carry one), else `Unexpected`. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'Unexpected';
}
