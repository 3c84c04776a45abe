// A forwarding proxy that records every request and the most it ever had in
// flight at once: tests that a client fetches something once, or never
// exceeds its concurrency limit, against a real server behind it.
import { createServer, request as httpRequest } from "node:http";
import { closeHttpServer, listenOnLoopback, stopOnce } from "./listen.js";
import { RequestRules } from "./request-rules.js";
import type { StartedServer } from "./types.js";

/** One forwarded request, in arrival order. */
export interface CountedRequest {
  method: string;
  path: string;
}

/** A running proxy; `inFlight` counts from arrival until the answer is fully sent. */
export type StartedCountingProxy = StartedServer & {
  requests: CountedRequest[];
  /** Faults on cue, as on the Forgejo fake: forced answers and hooks before answering. */
  rules: RequestRules;
  readonly inFlight: number;
  readonly maxInFlight: number;
};

/**
 * Forwards to `targetUrl`, holding each request `delayMs` first (default 0) so
 * concurrent requests overlap long enough to be seen. The Host header is passed
 * through so a registry's Location URLs point back at the proxy.
 */
export async function startCountingProxy(targetUrl: string, opts: { delayMs?: number } = {}): Promise<StartedCountingProxy> {
  const target = new URL(targetUrl);
  const requests: CountedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const rules = new RequestRules();
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? "GET", path: req.url ?? "/" });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once("close", () => void (inFlight -= 1));
    rules.answer(req, res, () => setTimeout(() => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", (err) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`counting proxy: upstream failed: ${err.message}`);
      });
      req.pipe(upstream);
    }, opts.delayMs ?? 0));
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
