// A TCP proxy that delays every byte the client sends by a fixed time: network
// latency without parsing HTTP. Unlike the HTTP delay proxy it costs next to no
// CPU, so a benchmark on a small machine measures the client's parallelism
// rather than the proxy's own request handling.
import { createConnection, createServer, type Socket } from "node:net";
import { listenOnLoopback, stopOnce } from "./listen.js";
import type { StartedServer } from "./types.js";

/** A running proxy; `connections` counts accepted client connections. */
export type StartedLatencyProxy = StartedServer & { connections: number };

/**
 * Forwards TCP to `targetUrl`'s host and port. Client-to-server chunks are held
 * for `delayMs` each (a timer per chunk keeps their order: equal delays fire in
 * the order they were set); server-to-client bytes pass straight through. One
 * HTTP/1.1 request without a body is one chunk, so each request on a keep-alive
 * connection waits `delayMs` once, as across a network.
 */
export async function startLatencyProxy(targetUrl: string, opts: { delayMs: number }): Promise<StartedLatencyProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let count = 0;
  const track = (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  };
  const server = createServer((client) => {
    count += 1;
    track(client);
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 80) });
    track(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let clientEnded = false;
    client.on("data", (chunk: Buffer) => {
      setTimeout(() => {
        if (!upstream.destroyed) upstream.write(chunk);
      }, opts.delayMs);
    });
    client.once("end", () => {
      clientEnded = true;
      // The end follows the last delayed chunk, never overtakes it.
      setTimeout(() => upstream.end(), opts.delayMs);
    });
    upstream.pipe(client);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once("error", teardown);
    upstream.once("error", teardown);
    upstream.once("close", () => {
      if (!clientEnded) client.destroy();
    });
    client.once("close", () => upstream.destroy());
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return count;
    },
    stop: stopOnce(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }),
  };
}
