/** Small assertion helpers shared by test files. */
import { expect } from 'vitest';

/** Awaits a promise that must reject with an instance of `type`, and returns the error. */
export async function rejectionOf<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}
