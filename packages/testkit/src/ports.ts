// Free loopback ports: servers under test bind 127.0.0.1 only, on a port the OS just handed out.
import { createServer } from "node:net";

/** Asks the OS for a free TCP port on 127.0.0.1 (tiny race until the server binds it; fine for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}
