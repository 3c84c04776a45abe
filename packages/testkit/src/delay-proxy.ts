// A forwarding proxy that adds latency per request: benchmarks and timeout tests against real servers.
import { createServer, request as httpRequest } from "node:http";
import { closeHttpServer, listenOnLoopback, stopOnce } from "./listen.js";
import type { StartedServer } from "./types.js";

/** Fixed delay for every request, or per request via `delayFor` (which wins when given). */
export interface DelayProxyOptions {
  delayMs: number;
  delayFor?: (req: { method: string; path: string }) => number;
}

/** A running proxy; `requests` counts forwarded requests. */
export type StartedDelayProxy = StartedServer & { requests: number };

/**
 * Forwards to `targetUrl` after the delay, streaming both ways. The Host header is passed
 * through unchanged so a registry builds Location URLs that point back at the proxy.
 */
export async function startDelayProxy(targetUrl: string, opts: DelayProxyOptions): Promise<StartedDelayProxy> {
  const target = new URL(targetUrl);
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    const path = req.url ?? "/";
    const delay = opts.delayFor ? opts.delayFor({ method: req.method ?? "GET", path }) : opts.delayMs;
    setTimeout(() => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port || 80, method: req.method, path, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", (err) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`delay proxy: upstream failed: ${err.message}`);
      });
      req.pipe(upstream);
    }, Math.max(0, delay));
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return count;
    },
    stop: stopOnce(() => closeHttpServer(server)),
  };
}
