/**
 * One attempt's exchange as a value that never rejects, and waiting for it with a time limit
 * that does not cancel it: what the client needs to keep a slow write in view after giving up
 * waiting for it (see `SlsClient` on ordered writes).
 */
import type { SlsError } from './errors.ts';
import type { HttpResponse } from './http.ts';

/** What one attempt came to: a reply of any status, or a transport failure. */
export type Exchange =
  | { readonly ok: true; readonly response: HttpResponse }
  | { readonly ok: false; readonly error: SlsError };

/** `send` as an `Exchange`; `toError` turns whatever it threw into an `SlsError`. */
export function exchange(send: Promise<HttpResponse>, toError: (e: unknown) => SlsError): Promise<Exchange> {
  return send.then(
    (response) => ({ ok: true, response }),
    (error: unknown) => ({ ok: false, error: toError(error) }),
  );
}

/** What `within` resolves to when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * `pending`'s result if it settles within `ms`, else `TIMED_OUT`; a rejection passes through.
 * The work itself goes on either way: waiting less never cancels it.
 */
export async function within<T>(pending: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    // Only a wait: the work it waits for keeps the process alive if it must.
    timer.unref?.();
  });
  try {
    return await Promise.race([pending, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a finished exchange is a success reply. */
export const succeeded = (e: Exchange): e is Extract<Exchange, { ok: true }> =>
  e.ok && e.response.status >= 200 && e.response.status < 300;
