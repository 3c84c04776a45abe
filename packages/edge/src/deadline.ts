// One request's deadline, linked to the job's signal. Not AbortSignal.any([jobSignal, timeout]):
// on Node 20 every signal it makes stays referenced from the long-lived one until that one is
// collected, so a job that sends thousands of requests grows without bound (nodejs/node#55351,
// nodejs/node#54614). Not AbortSignal.timeout either: its timer outlives a request that already
// finished. Here one controller, one timer and one listener on the job's signal exist for as long
// as the request does, and done() removes all three.

export interface Deadline {
  /** Pass to the request: aborts on the deadline or when the job's signal aborts. */
  readonly signal: AbortSignal;
  /** True when the deadline (not the job) ended the request. */
  timedOut(): boolean;
  /** Call when the request is over, whatever its outcome: clears the timer and the listener. */
  done(): void;
}

/** A deadline of `ms` for one request, aborted early by `parent`. */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError"));
  }, ms);
  const onAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => fired,
    done: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}
