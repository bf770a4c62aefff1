/** Bounded concurrency, shared by the heartbeat rounds and the checkpoint writes; shared reads. */

/**
 * Calls `fn` for every item, at most `limit` at a time, and resolves when all have settled.
 * `fn` should not throw (both use cases turn every failure into an outcome); if it does, the
 * first error is rethrown after the others finished, so no call is left running unobserved.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        if (!failed) {
          failed = true;
          firstError = error;
        }
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failed) throw firstError;
}

/**
 * The promise `cache` holds for `key`, started by `read` the first time: later callers share the
 * read, or its failure. Each caller handles the failure; the cache keeps an unawaited rejection
 * quiet.
 */
export function once<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = read();
    pending.catch(() => {});
    cache.set(key, pending);
  }
  return pending;
}
