// A cron job pushes once per run, so one DNS blip or refused connection at
// the tick loses that run's results (docs/design.md, P1). Another attempt
// a second later usually lands. A 4xx is the Pushgateway's final word
// (inconsistent metrics, a bad grouping path) and the same bytes would get
// the same answer, so it is never retried. The client's calls stay
// single-shot; the caller opts in here.
import { isRetryableStatus, sleep } from "@regguard/edge";
import { PushgatewayError } from "./errors.js";

/** Waits between attempts: three attempts, 1 s and then 2 s apart. */
export const DEFAULT_PUSH_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000];

/** A failed attempt that will be tried again after `delayMs`. */
export interface PushRetryNotice {
  /** 1-based number of the attempt that failed. */
  attempt: number;
  attempts: number;
  delayMs: number;
  error: PushgatewayError;
}

/** How often and how patiently to retry. */
export interface PushRetryOptions {
  /** One entry per retry (default DEFAULT_PUSH_RETRY_DELAYS_MS); [] means a single attempt. */
  delaysMs?: readonly number[];
  /** Called before each wait, e.g. to log the failed attempt. */
  onRetry?: (notice: PushRetryNotice) => void;
  /** Stops waiting; the last error is thrown. */
  signal?: AbortSignal;
}

/** No answer (unreachable, timeout) or a 5xx: something another attempt can fix. */
export function isRetryablePushError(error: unknown): error is PushgatewayError {
  if (!(error instanceof PushgatewayError)) return false;
  if (error.code === "PGW_UNREACHABLE" || error.code === "PGW_TIMEOUT") return true;
  return error.code === "PGW_REJECTED" && error.status !== undefined && isRetryableStatus("pushgateway", error.status);
}

/** Run `push` until it succeeds, fails for good, or the delays run out; rejects with the last error. */
export async function retryPush<T>(push: () => Promise<T>, options: PushRetryOptions = {}): Promise<T> {
  const delays = options.delaysMs ?? DEFAULT_PUSH_RETRY_DELAYS_MS;
  const attempts = delays.length + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await push();
    } catch (error) {
      const delayMs = delays[attempt - 1];
      if (delayMs === undefined || !isRetryablePushError(error) || options.signal?.aborted) throw error;
      options.onRetry?.({ attempt, attempts, delayMs, error });
      try {
        await sleep(delayMs, options.signal);
      } catch {
        throw error;
      }
    }
  }
}
