// Token requests get what every registry request gets: retries on 5xx and
// dropped connections, the timeout, the caller's abort, and a body cap.
import { describe, expect, it } from "vitest";
import type { ScriptedHandler } from "@regguard/testkit";
import { AbortedError, TimeoutError, TooLargeError } from "../src/index.js";
import { client, serve } from "./scripted.js";

/** A registry that wants a token from a realm answering with `realm`. */
async function bearerRegistry(realm: ScriptedHandler) {
  const tokens = await serve(realm);
  const registry = await serve((req) =>
    req.headers.authorization === "Bearer tok"
      ? { status: 200, body: { name: "viktor/app", tags: ["v1"] } }
      : { status: 401, headers: { "www-authenticate": `Bearer realm="${tokens.url}/token",service="svc"` }, body: "" },
  );
  return { tokens, registry };
}

describe("token requests", () => {
  it("retry a 503 and a dropped connection, then use the token", async () => {
    let n = 0;
    const { tokens, registry } = await bearerRegistry(() => {
      n++;
      if (n === 1) return { status: 503, body: "" };
      if (n === 2) return { destroy: true };
      return { status: 200, body: { token: "tok" } };
    });
    const c = client(registry.url);
    expect(await c.tags("viktor/app")).toEqual(["v1"]);
    expect(tokens.requests).toHaveLength(3);
    expect(c.stats.tokenRequests).toBe(1);
  });

  it("refuse a body over the cap, even one that is valid JSON with a token in it", async () => {
    const pad = "x".repeat(1024 * 1024);
    const { registry } = await bearerRegistry(() => ({ status: 200, body: { token: "tok", pad } }));
    const err = await client(registry.url)
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as Error).message).toMatch(/token service at http:\/\/127\.0\.0\.1:\d+ sent more than 1048576 bytes/);
    expect(registry.requests).toHaveLength(1);
  });

  it("time out a hanging token service and retry it", async () => {
    const { tokens, registry } = await bearerRegistry(() => ({ status: 200, delayMs: 1500, body: { token: "tok" } }));
    const err = await client(registry.url, { timeoutMs: 200, retries: 1 })
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(tokens.requests).toHaveLength(2);
  });

  it("stop waiting for a token when the caller aborts", async () => {
    // The bound only has to tell "stopped at the abort" from "waited for the
    // answer", with seconds of slack for a loaded CI machine.
    const { registry } = await bearerRegistry(() => ({ status: 200, delayMs: 8000, body: { token: "tok" } }));
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("SIGTERM")), 100);
    const err = await client(registry.url, { signal: controller.signal, timeoutMs: 10_000 })
      .tags("viktor/app")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
