// The HTTP connection pool the probe hands to the registry client.
//
// undici closes the connection after every HEAD request (undici#258: interop
// with servers that wrongly send a body with a HEAD answer) unless the
// request says `reset: false`. Most of a probe's requests are HEADs (every
// config and layer blob), so on registry:2 that meant one new TCP connection
// per blob: ~700 connects per 1,150 requests in a measured walk, and the
// connect/close work, not the registry, bounded the probe's throughput.
// registry:2 and Forgejo (both Go net/http) answer HEAD without a body, so
// the probe keeps those connections alive. A server that did send a body
// would corrupt the next answer on that connection; that fails as a request
// error and is retried on a fresh connection, never as a silent pass.
import { Agent, type Dispatcher } from "undici";

/** Idle keep-alive connections are kept this long (the client's own default). */
const KEEP_ALIVE_MS = 10_000;

/** A pool of `connections` keep-alive connections per origin, HEAD included. */
export function keepAliveDispatcher(connections: number): { dispatcher: Dispatcher; close(): Promise<void> } {
  const agent = new Agent({ connections, keepAliveTimeout: KEEP_ALIVE_MS });
  const dispatcher = agent.compose((dispatch) => (opts, handler) =>
    dispatch(opts.method === "HEAD" && opts.reset === undefined ? { ...opts, reset: false } : opts, handler));
  return { dispatcher, close: () => agent.close() };
}
