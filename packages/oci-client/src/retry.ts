// The one place that decides whether and when a request is tried again.

/** Default attempts after the first; a registry blip should not fail a run. */
export const DEFAULT_RETRIES = 3;
/** First backoff step; doubles each attempt. */
export const DEFAULT_RETRY_BASE_MS = 250;
/** No single wait longer than this, whatever Retry-After asks. */
export const MAX_RETRY_WAIT_MS = 10_000;

/** 408/429/5xx are worth another try; other statuses are final answers. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Full-jitter exponential backoff, or Retry-After (seconds or HTTP date) under a cap. */
export function retryDelayMs(attempt: number, baseMs: number, retryAfter?: string, now: number = Date.now()): number {
  if (retryAfter) {
    const secs = Number(retryAfter);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_WAIT_MS);
  }
  const ceiling = Math.min(baseMs * 2 ** attempt, MAX_RETRY_WAIT_MS);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Sleep that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
