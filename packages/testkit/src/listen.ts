// Binding and closing the kit's in-process servers: every one listens on
// 127.0.0.1 only, and stop() must be safe to call twice (afterAll hooks and
// finally blocks both call it).
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server } from "node:net";

/** Listens on 127.0.0.1 (`port` 0: one the OS hands out) and resolves to the bound port. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Drops every open connection (keep-alive ones would hold close() forever), then closes. */
export function closeHttpServer(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Wraps a stop function so later calls return the first call's promise. */
export function stopOnce(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stop());
}
