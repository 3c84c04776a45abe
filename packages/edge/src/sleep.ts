// The one sleep of every retry loop: it ends early, rejecting with the signal's reason, when the
// job is stopped, and leaves nothing behind either way (no timer after an abort, no listener on
// the long-lived job signal after it resolves: a retry loop that added one per wait grew the
// signal's listener list for the whole run).

/** Sleeps `ms`; rejects with `signal.reason` as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
