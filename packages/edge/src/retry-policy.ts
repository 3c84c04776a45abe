// The one table of which answers another attempt can fix, and how long to wait before it, for every
// client at the edge of a job. The clients keep their own loops (a registry request retries inside
// its redirect and token handling, a push is single-shot unless the caller opts in) but ask here.

/** The clients that retry, each with its own exceptions below. */
export type RetryingClient = "registry" | "forgejo" | "pushgateway";

/**
 * Statuses worth another attempt, per client. Every other status is an answer.
 * - registry: distribution and Forgejo's /v2 answer 429 TOOMANYREQUESTS under load and a proxy 408
 *   on a slow request; 500/502/503/504 are a restart or an overloaded backend. 501 and 505 are final.
 * - forgejo: the same. Forgejo's API answers 429 from its rate limiter (or the ingress's), with a
 *   Retry-After to honour; it used to be treated as final, and one limiter blip failed a whole
 *   retention run (issue 13).
 * - pushgateway: 5xx only. A 4xx is the Pushgateway's final word on the pushed bytes (inconsistent
 *   metrics, a bad grouping path): the same bytes get the same answer.
 */
export const RETRYABLE_STATUSES: Readonly<Record<RetryingClient, ReadonlySet<number>>> = {
  registry: new Set([408, 429, 500, 502, 503, 504]),
  forgejo: new Set([408, 429, 500, 502, 503, 504]),
  pushgateway: new Set([500, 502, 503, 504]),
};

/** Whether `client` should try again after answer `status`. */
export function isRetryableStatus(client: RetryingClient, status: number): boolean {
  return RETRYABLE_STATUSES[client].has(status);
}

/** No single wait is longer than this, whatever Retry-After or the backoff asks: a cron job must not sleep for an hour. */
export const RETRY_WAIT_CAP_MS = 10_000;

/** Retry-After as seconds or an HTTP date, in ms from `now`, under the cap; undefined when absent or unparsable. */
export function retryAfterMs(header: string | undefined, now: number = Date.now(), capMs: number = RETRY_WAIT_CAP_MS): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const secs = Number(header.trim());
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), capMs);
}

/**
 * Exponential backoff with equal jitter: uniform in [c/2, c] for c = min(cap, base * 2^attempt)
 * (`attempt` counts from 0). Half the step is always waited, so a retry never hits a restarting
 * server at once; the other half spreads the clients of one cron tick.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number = RETRY_WAIT_CAP_MS, random: () => number = Math.random): number {
  const ceiling = Math.min(baseMs * 2 ** attempt, capMs);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The wait before the next attempt: the server's Retry-After when it gave one, else the backoff. */
export function retryWaitMs(attempt: number, baseMs: number, retryAfter?: string, capMs: number = RETRY_WAIT_CAP_MS): number {
  return retryAfterMs(retryAfter, Date.now(), capMs) ?? backoffMs(attempt, baseMs, capMs);
}
