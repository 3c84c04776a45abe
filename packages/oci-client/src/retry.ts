// The one place that decides whether and when a request is tried again.
import { backoffMs, isRetryableStatus as isRetryable, retryAfterMs, RETRY_WAIT_CAP_MS, sleep } from "@regguard/edge";
import { TimeoutError, TransportError } from "./errors.js";

/** Default attempts after the first; a registry blip should not fail a run. */
export const DEFAULT_RETRIES = 3;
/** First backoff step; doubles each attempt. */
export const DEFAULT_RETRY_BASE_MS = 250;
/** No single wait longer than this, whatever Retry-After asks (the shared cap, edge/retry-policy.ts). */
export const MAX_RETRY_WAIT_MS = RETRY_WAIT_CAP_MS;

/** 408/429/5xx are worth another try; other statuses are final answers (the shared table's registry row). */
export function isRetryableStatus(status: number): boolean {
  return isRetryable("registry", status);
}

/** Retry-After (seconds or HTTP date) under the cap, else exponential backoff with equal jitter (edge/retry-policy.ts). */
export function retryDelayMs(attempt: number, baseMs: number, retryAfter?: string, now: number = Date.now()): number {
  return retryAfterMs(retryAfter, now, MAX_RETRY_WAIT_MS) ?? backoffMs(attempt, baseMs, MAX_RETRY_WAIT_MS);
}

/** The shared abortable sleep (edge/sleep.ts); re-exported because callers of this package use it. */
export { sleep } from "@regguard/edge";

/** How many times and how patiently to try; registry and token requests share one. */
export interface RetryPolicy {
  retries: number;
  baseMs: number;
  signal?: AbortSignal;
}

/** What the retry loop needs to see of an answer. */
export interface RetryableAnswer {
  status: number;
  headers: Record<string, string | undefined>;
}

/**
 * Failures that already used up a retry loop. A token request retries inside
 * the registry request's own loop; without this a dead token service would be
 * asked (retries + 1)^2 times.
 */
const spent = new WeakSet<Error>();

/**
 * Calls `attempt` until it answers with a final status or the retries run out.
 * Of thrown errors only timeouts and transport failures are tried again: any
 * other error is an answer. `discard` gets every answer that is retried, so a
 * streamed body does not keep its connection busy through the backoff.
 */
export async function withRetries<R extends RetryableAnswer>(
  policy: RetryPolicy,
  attempt: () => Promise<R>,
  hooks: { discard?: (res: R) => void; onRetry?: () => void } = {},
): Promise<R> {
  for (let n = 0; ; n++) {
    let res: R;
    try {
      res = await attempt();
    } catch (e) {
      if (!(e instanceof TransportError || e instanceof TimeoutError) || spent.has(e)) throw e;
      if (n >= policy.retries) {
        spent.add(e);
        throw e;
      }
      hooks.onRetry?.();
      await sleep(retryDelayMs(n, policy.baseMs), policy.signal);
      continue;
    }
    if (!isRetryableStatus(res.status) || n >= policy.retries) return res;
    hooks.discard?.(res);
    hooks.onRetry?.();
    await sleep(retryDelayMs(n, policy.baseMs, res.headers["retry-after"]), policy.signal);
  }
}
