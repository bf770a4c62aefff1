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

/** The exchange if it ends within `ms`, else undefined; the exchange itself goes on either way. */
export async function within(pending: Promise<Exchange>, ms: number): Promise<Exchange | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
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
