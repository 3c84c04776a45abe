// Retries against real servers: 5xx and transport errors are retried with backoff, 4xx never;
// timeouts and aborts surface as their own errors.
import { getEventListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedForgejoFake } from "@regguard/testkit";
import { ForgejoAbortedError, ForgejoClient, ForgejoHttpStatusError, ForgejoTimeoutError, ForgejoTransportError, type RetryInfo } from "../src/index.js";
import { clientFor, OWNER, pushTags, startCast } from "./helpers.js";

describe("retries", () => {
  let fake: StartedForgejoFake;
  let silent: Server;
  let silentUrl: string;
  beforeAll(async () => {
    fake = await startCast();
    await pushTags(fake, OWNER, `${OWNER}/app`, ["v1", "v2", "v3"]);
    silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await fake?.stop();
    silent?.closeAllConnections();
    await new Promise((r) => silent?.close(r));
  });
  const count = (method: string, part: string) => fake.requests.filter((r) => r.method === method && r.path.includes(part)).length;

  it("requests and retries under the job's long-lived signal leave no listener on it (issue 13: one sleep and one deadline, both cleaned up)", async () => {
    const job = new AbortController();
    fake.failNext({ method: "GET", pathIncludes: "/app/v2" }, { status: 503 }, 2);
    const client = clientFor(fake, OWNER);
    for (let i = 0; i < 20; i++) await client.listContainerVersions(OWNER, { signal: job.signal });
    expect(await client.getVersion(OWNER, "app", "v2", job.signal)).toBeDefined();
    expect(getEventListeners(job.signal, "abort")).toHaveLength(0);
  });

  it("a DELETE answered 500 twice then succeeds; onRetry hears about both", async () => {
    const retries: RetryInfo[] = [];
    fake.failNext({ method: "DELETE", pathIncludes: "/app/v1" }, { status: 500, body: "oops" }, 2);
    const client = clientFor(fake, OWNER, { onRetry: (i) => retries.push(i) });
    expect(await client.deleteVersion(OWNER, "app", "v1")).toBe("deleted");
    expect(count("DELETE", "/app/v1")).toBe(3);
    expect(retries.map((r) => [r.attempt, r.method])).toEqual([
      [1, "DELETE"],
      [2, "DELETE"],
    ]);
    expect(retries[0]!.reason).toContain("HTTP 500");
  });

  it("a listing page answered 502 is retried and the list is still complete", async () => {
    fake.failNext({ method: "GET", pathIncludes: "page=1" }, { status: 502 });
    expect(await clientFor(fake, OWNER).listContainerVersions(OWNER)).toHaveLength(fake.versions(OWNER, "app").length);
  });

  it("5xx until retries run out: ForgejoHttpStatusError after retries + 1 attempts", async () => {
    fake.failNext({ method: "DELETE", pathIncludes: "/app/v2" }, { status: 503, body: '{"message":"maintenance"}' }, 3);
    const err = await clientFor(fake, OWNER, { retries: 2 })
      .deleteVersion(OWNER, "app", "v2")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgejoHttpStatusError);
    expect(err).toMatchObject({ code: "FORGEJO_HTTP_STATUS", status: 503, serverMessage: "maintenance" });
    expect(count("DELETE", "/app/v2")).toBe(3);
  });

  it("4xx is never retried: 403, 400 and 409 are single requests", async () => {
    for (const status of [403, 400, 409]) {
      const before = count("DELETE", "/app/v3");
      fake.failNext({ method: "DELETE", pathIncludes: "/app/v3" }, { status, body: "{}" });
      await expect(clientFor(fake, OWNER).deleteVersion(OWNER, "app", "v3")).rejects.toMatchObject({ status });
      expect(count("DELETE", "/app/v3") - before).toBe(1);
    }
  });

  it("429 from the rate limiter is retried after its Retry-After (issue 13: it used to fail the run)", async () => {
    const retries: RetryInfo[] = [];
    fake.failNext({ method: "GET", pathIncludes: "/app/v3" }, { status: 429, body: "{}", headers: { "retry-after": "1" } });
    const client = clientFor(fake, OWNER, { onRetry: (i) => retries.push(i) });
    expect(await client.getVersion(OWNER, "app", "v3")).toBeDefined();
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([[1, 1000]]);
  });

  it("connection refused is a ForgejoTransportError after the retries", async () => {
    const gone = await startCast();
    const url = gone.url;
    await gone.stop();
    const retries: RetryInfo[] = [];
    const client = new ForgejoClient({ baseUrl: url, token: "a".repeat(40), retries: 2, backoff: { baseMs: 1 }, onRetry: (i) => retries.push(i) });
    const err = await client.currentUser().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgejoTransportError);
    expect(err).toMatchObject({ code: "FORGEJO_TRANSPORT", method: "GET", url: `${url}/api/v1/user` });
    expect(retries).toHaveLength(2);
  });

  it("no answer within timeoutMs is a ForgejoTimeoutError; an abort is ForgejoAbortedError, not retried", async () => {
    const slow = new ForgejoClient({ baseUrl: silentUrl, token: "a".repeat(40), timeoutMs: 100, retries: 1, backoff: { baseMs: 1 } });
    const err = await slow.currentUser().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgejoTimeoutError);
    expect(err).toMatchObject({ code: "FORGEJO_TIMEOUT" });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const patient = new ForgejoClient({ baseUrl: silentUrl, token: "a".repeat(40), timeoutMs: 5_000, retries: 3 });
    const aborted = await patient.currentUser(ac.signal).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(ForgejoAbortedError);
  });
});
