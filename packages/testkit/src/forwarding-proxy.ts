// The test kit's one forwarding HTTP proxy: in front of a real server on 127.0.0.1 it records
// every request and the most it had in flight, delays requests (fixed or per request), forces
// answers on cue (RequestRules, as on the Forgejo fake) and lets a test tamper with an upstream
// body (`onResponse`). startCountingProxy and startDelayProxy are this proxy under the names the
// tests know it by; the TCP-level latency proxy (latency-proxy.ts) is a different tool on purpose.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { closeHttpServer, listenOnLoopback, stopOnce } from "./listen.js";
import { RequestRules } from "./request-rules.js";
import type { StartedServer } from "./types.js";

/** One forwarded request, in arrival order. */
export interface CountedRequest {
  method: string;
  path: string;
}

export interface ForwardingProxyOptions {
  /** Held before forwarding each request (default 0). */
  delayMs?: number;
  /** Per request delay; wins over `delayMs` when given. */
  delayFor?: (req: CountedRequest) => number;
  /**
   * Called with each upstream response after its status and headers were sent on; it must pipe
   * `upRes` into `res` or write a body of its own. Default: pipe unchanged.
   */
  onResponse?: (req: IncomingMessage, upRes: IncomingMessage, res: ServerResponse) => void;
}

/** A running proxy; `inFlight` counts from arrival until the answer is fully sent. */
export type StartedForwardingProxy = StartedServer & {
  requests: CountedRequest[];
  /** Faults on cue, as on the Forgejo fake: forced answers and hooks before answering. */
  rules: RequestRules;
  readonly inFlight: number;
  readonly maxInFlight: number;
};

/**
 * Forwards to `targetUrl`, streaming both ways. The Host header is passed through unchanged, so
 * a registry builds Location URLs that point back at the proxy and SigV4 signatures still match.
 */
export async function startForwardingProxy(targetUrl: string, opts: ForwardingProxyOptions = {}): Promise<StartedForwardingProxy> {
  const target = new URL(targetUrl);
  const requests: CountedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const rules = new RequestRules();
  const onResponse = opts.onResponse ?? ((_req, upRes, res) => void upRes.pipe(res));
  const server = createServer((req, res) => {
    const counted = { method: req.method ?? "GET", path: req.url ?? "/" };
    requests.push(counted);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once("close", () => void (inFlight -= 1));
    const delay = opts.delayFor ? opts.delayFor(counted) : (opts.delayMs ?? 0);
    rules.answer(req, res, () =>
      setTimeout(
        () => {
          const upstream = httpRequest({ host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.on("error", () => res.destroy());
            onResponse(req, upRes, res);
          });
          upstream.on("error", (err) => {
            if (res.headersSent) return void res.destroy();
            res.writeHead(502, { "content-type": "text/plain" });
            res.end(`forwarding proxy: upstream failed: ${err.message}`);
          });
          req.pipe(upstream);
        },
        Math.max(0, delay),
      ),
    );
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rules,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    stop: stopOnce(() => closeHttpServer(server)),
  };
}

/** The proxy as the concurrency and request-count tests use it. */
export type StartedCountingProxy = StartedForwardingProxy;

/** startForwardingProxy, for tests that count requests or what was in flight. */
export function startCountingProxy(targetUrl: string, opts: { delayMs?: number } = {}): Promise<StartedCountingProxy> {
  return startForwardingProxy(targetUrl, opts);
}

/** Fixed delay for every request, or per request via `delayFor` (which wins when given). */
export interface DelayProxyOptions {
  delayMs: number;
  delayFor?: (req: CountedRequest) => number;
}

/** The proxy as the timeout tests and benches use it. */
export type StartedDelayProxy = StartedForwardingProxy;

/** startForwardingProxy, for tests that need a slow server in front of a real one. */
export function startDelayProxy(targetUrl: string, opts: DelayProxyOptions): Promise<StartedDelayProxy> {
  return startForwardingProxy(targetUrl, opts);
}
