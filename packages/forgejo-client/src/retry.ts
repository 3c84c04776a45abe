// The one place that decides retries: transport errors and 5xx are retried with exponential
// backoff and full jitter (Retry-After honoured under a cap); every 4xx is final.

/** Default retries after the first attempt: rides out a Forgejo pod restart without hiding an outage. */
export const DEFAULT_RETRIES = 3;
/** Default per-attempt timeout: Forgejo answers package listings in well under a second. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** First backoff step; doubles per attempt. */
export const DEFAULT_BASE_DELAY_MS = 250;
/** Largest backoff step, so a run with retries still finishes in minutes. */
export const DEFAULT_MAX_DELAY_MS = 8_000;
/** A Retry-After beyond this is cut down: a cron job must not sleep for an hour. */
export const RETRY_AFTER_CAP_MS = 30_000;

/** Backoff tuning; tests shrink it. */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/** 5xx only: a 4xx (including 429/408) is an answer, not a hiccup. */
export const isRetryableStatus = (status: number): boolean => status >= 500 && status <= 599;

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unparsable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, RETRY_AFTER_CAP_MS);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(at - now, 0), RETRY_AFTER_CAP_MS);
}

/** Full jitter: uniform in [0, min(max, base * 2^attempt)]. `attempt` counts from 0. */
export function backoffMs(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = opts.baseMs ?? DEFAULT_BASE_DELAY_MS;
  const max = opts.maxMs ?? DEFAULT_MAX_DELAY_MS;
  return Math.round(random() * Math.min(max, base * 2 ** attempt));
}

/** Whether to try again after `attempt` (0-based) failed with `status` (undefined = transport error). */
export function decideRetry(
  attempt: number,
  retries: number,
  failure: { status?: number; retryAfter?: string },
  opts: BackoffOptions = {},
): RetryDecision {
  if (attempt >= retries) return { retry: false };
  if (failure.status !== undefined && !isRetryableStatus(failure.status)) return { retry: false };
  const hinted = retryAfterMs(failure.retryAfter);
  return { retry: true, delayMs: hinted ?? backoffMs(attempt, opts) };
}
