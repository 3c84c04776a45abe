// What aborts one buffered request: its deadline, or the caller's signal through the transport's
// single listener. undici's request() takes an EventEmitter as its `signal` as well as an
// AbortSignal (undici docs, Dispatcher.request: "signal: AbortSignal | EventEmitter | null";
// lib/api/api-request.js reads `aborted` and `reason` and listens for 'abort'). An emitter costs
// about a twentieth of an AbortController with its EventTarget, which the probe paid on every
// request of a walk (issue 12, item 11: `pnpm bench:probe`, case d).
import { EventEmitter } from "node:events";

/** A one-shot abort for one request, in the shape undici accepts as a signal. */
export class RequestCancel extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit("abort");
  }
}
