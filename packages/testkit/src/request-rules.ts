// Faults on cue for a server under test: "answer the next N requests like this" and "run this
// before answering the next N requests". One implementation for the Forgejo fake and for the
// counting proxy in front of the real server, so a fail-closed test body runs on both.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Which requests a rule applies to: the method, and a substring of the raw request target. */
export interface FailNextMatch {
  method: string;
  pathIncludes: string;
}

/** A request as the server saw it; `path` is the raw request target (still percent-encoded). */
export interface FakeRequest {
  method: string;
  path: string;
}

/** A forced answer. */
export interface ForcedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

type Counted<T> = FailNextMatch & T & { left: number };

/** The rules of one server; `answer` applies them to a request. */
export class RequestRules {
  private readonly failures: Array<Counted<{ response: ForcedResponse }>> = [];
  private readonly hooks: Array<Counted<{ hook: (request: FakeRequest) => Promise<void> | void }>> = [];

  /** Force the next `times` (default 1) matching requests to answer `response`. */
  failNext(match: FailNextMatch, response: ForcedResponse, times = 1): void {
    this.failures.push({ ...match, response: { ...response, headers: { ...response.headers } }, left: times });
  }

  /** Run `hook` when the next `times` matching requests arrive; they wait for it. */
  beforeNext(match: FailNextMatch, hook: (request: FakeRequest) => Promise<void> | void, times = 1): void {
    this.hooks.push({ ...match, hook, left: times });
  }

  /**
   * Apply the rules to one request: a pending hook first (a hook that throws answers 500 with
   * its message), then a forced answer, else `pass` serves it as usual.
   */
  answer(req: IncomingMessage, res: ServerResponse, pass: () => void): void {
    const request = { method: (req.method ?? "GET").toUpperCase(), path: req.url ?? "/" };
    const hook = take(this.hooks, request);
    if (!hook) return this.forcedOr(req, res, request, pass);
    // The request waits for the hook; its body stays unread (paused) until it is served.
    Promise.resolve()
      .then(() => hook.hook({ ...request }))
      .then(
        () => this.forcedOr(req, res, request, pass),
        (e: unknown) => {
          req.resume();
          send(res, { status: 500, body: `beforeNext hook failed: ${e instanceof Error ? e.message : String(e)}` });
        },
      );
  }

  private forcedOr(req: IncomingMessage, res: ServerResponse, request: FakeRequest, pass: () => void): void {
    const forced = take(this.failures, request);
    if (!forced) return pass();
    req.resume();
    send(res, forced.response);
  }
}

function take<T extends Counted<object>>(rules: T[], r: FakeRequest): T | undefined {
  const rule = rules.find((f) => f.left > 0 && f.method.toUpperCase() === r.method && r.path.includes(f.pathIncludes));
  if (rule) rule.left -= 1;
  return rule;
}

function send(res: ServerResponse, r: ForcedResponse): void {
  const body = Buffer.from(r.body ?? "");
  const type = /^\s*[[{]/.test(r.body ?? "") ? "application/json;charset=utf-8" : "text/plain; charset=utf-8";
  res.writeHead(r.status, { "Content-Type": type, "Content-Length": body.byteLength, ...r.headers });
  res.end(body);
}
