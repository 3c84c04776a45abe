// Work over a list (or a stream) with at most `width` calls in flight, pulling items only as
// slots free up. `Promise.all(items.map(...))` creates every promise up front: an index of
// 100,000 children or a repository of 200,000 tags then held them all in memory at once and
// aborted V8 before the probe could push anything (issue 12).

/** Run `fn` over `items` with at most `width` in flight; resolves when all are done, rejects with the first error. */
export async function forEachBounded<T>(items: Iterable<T> | AsyncIterable<T>, width: number, fn: (item: T) => Promise<void>): Promise<void> {
  if (!Number.isInteger(width) || width < 1) throw new TypeError("width must be a positive integer");
  // `width` workers pull from one iterator: an async generator queues concurrent next() calls.
  const it = Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  let failed: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failed) {
      const next = await it.next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  // No more workers than items when the count is known: an index of three children needs three,
  // not `width` (32 in the probe) of which all but three end at once.
  const workers = Array.isArray(items) ? Math.min(width, items.length) : width;
  await Promise.all(Array.from({ length: workers }, worker));
  if (failed) throw failed.error;
}
