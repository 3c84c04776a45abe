// Forgejo's row of the shared retry table (edge/retry-policy.ts): transport errors, 408, 429 and the
// transient 5xx are retried with exponential backoff and equal jitter, Retry-After honoured under
// the shared cap; every other status is final.
import { backoffMs as sharedBackoff, isRetryableStatus as isRetryable, retryAfterMs, RETRY_WAIT_CAP_MS } from "@regguard/edge";

export { retryAfterMs };

/** Default retries after the first attempt: rides out a Forgejo pod restart without hiding an outage. */
export const DEFAULT_RETRIES = 3;
/** Default per-attempt timeout: Forgejo answers package listings in well under a second. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** First backoff step; doubles per attempt. */
export const DEFAULT_BASE_DELAY_MS = 250;
/** Largest backoff step, so a run with retries still finishes in minutes. */
export const DEFAULT_MAX_DELAY_MS = 8_000;
/** A Retry-After beyond this is cut down: a cron job must not sleep for an hour (the shared cap). */
export const RETRY_AFTER_CAP_MS = RETRY_WAIT_CAP_MS;

/** Backoff tuning; tests shrink it. */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/** 408, 429 and the transient 5xx: Forgejo's row of the shared table. */
export const isRetryableStatus = (status: number): boolean => isRetryable("forgejo", status);

/** Equal jitter: uniform in [c/2, c] for c = min(max, base * 2^attempt). `attempt` counts from 0. */
export function backoffMs(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  return sharedBackoff(attempt, opts.baseMs ?? DEFAULT_BASE_DELAY_MS, opts.maxMs ?? DEFAULT_MAX_DELAY_MS, random);
}

/** Whether to try again after `attempt` (0-based) failed with `status` (undefined = transport error). */
export function decideRetry(attempt: number, retries: number, failure: { status?: number; retryAfter?: string }, opts: BackoffOptions = {}): RetryDecision {
  if (attempt >= retries) return { retry: false };
  if (failure.status !== undefined && !isRetryableStatus(failure.status)) return { retry: false };
  const hinted = retryAfterMs(failure.retryAfter);
  return { retry: true, delayMs: hinted ?? backoffMs(attempt, opts) };
}
