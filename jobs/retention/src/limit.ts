// A small worker pool: at most `width` calls in flight, results in input order.
// (The oci-client limits its own requests; this bounds the job's fan-out.)

/** Map with at most `width` promises pending; stops starting new work once `signal` aborts. */
export async function mapLimit<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  if (!Number.isInteger(width) || width < 1) throw new TypeError("width must be a positive integer");
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (signal?.aborted) throw signal.reason;
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
