// Against the real Pushgateway (Debian prometheus-pushgateway): PUT replaces
// the whole group, POST only same-named series, DELETE removes the group,
// failures come back as typed errors, and retryPush tries again only what
// another attempt can fix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushgateway, startScriptedServer, type StartedPushgateway, type StartedScriptedServer } from "@regguard/testkit";
import {
  MAX_ANSWER_BYTES,
  PushProtocolError,
  PushRejectedError,
  PushTimeoutError,
  PushUnreachableError,
  PushgatewayClient,
  retryPush,
  sampleValue,
  type MetricFamily,
  type PushRetryNotice,
} from "../src/index.js";

const gauge = (name: string, value: number, labels?: Record<string, string>): MetricFamily => ({
  name,
  help: `help for ${name}`,
  type: "gauge",
  samples: [{ value, ...(labels ? { labels } : {}) }],
});

describe("real Pushgateway", () => {
  let pg: StartedPushgateway;
  let slow: StartedScriptedServer;
  let client: PushgatewayClient;
  const group = { job: "probe-test", labels: { instance: "registry.example:5000" } };

  beforeAll(async () => {
    pg = await startPushgateway();
    slow = await startScriptedServer(() => ({ status: 200, delayMs: 2_000 }));
    client = new PushgatewayClient({ url: pg.url });
  });
  afterAll(async () => {
    await slow?.stop();
    await pg?.stop();
  });

  it("PUT replaces the whole group; POST replaces only same-named series", async () => {
    await client.put(group, [gauge("a", 1), gauge("b", 2, { kind: 'x"y' })]);
    let series = (await pg.series()).filter((s) => s.labels.job === "probe-test" && !s.name.startsWith("push_"));
    expect(series.map((s) => [s.name, s.labels, s.value])).toEqual(
      expect.arrayContaining([
        ["a", { job: "probe-test", instance: "registry.example:5000" }, 1],
        ["b", { job: "probe-test", instance: "registry.example:5000", kind: 'x"y' }, 2],
      ]),
    );
    await client.put(group, [gauge("a", 5)]);
    series = (await pg.series()).filter((s) => s.labels.job === "probe-test" && !s.name.startsWith("push_"));
    expect(series.map((s) => s.name)).toEqual(["a"]);
    await client.post(group, [gauge("c", 7)]);
    const held = await client.group(group);
    expect(sampleValue(held, "a")).toBe(5);
    expect(sampleValue(held, "c")).toBe(7);
    expect(held?.pushTimeSeconds).toBeGreaterThan(1e9);
  });

  it("takes prom-client's special values: NaN (written Nan), +Inf and -Inf read back as themselves", async () => {
    const special = { job: "probe-test", labels: { instance: "special" } };
    await client.put(special, [gauge("nan_value", NaN), gauge("inf_value", Infinity), gauge("neg_inf_value", -Infinity)]);
    const held = await client.group(special);
    // sampleValue reads NaN as "no value"; the raw sample is the Pushgateway's own NaN.
    expect(held?.metrics.nan_value?.[0]?.value).toBeNaN();
    expect(sampleValue(held, "inf_value")).toBe(Infinity);
    expect(sampleValue(held, "neg_inf_value")).toBe(-Infinity);
    await client.delete(special);
  });

  it("keeps groups with a slash in a label value apart", async () => {
    const odd = { job: "probe-test", labels: { instance: "host/path" } };
    await client.put(odd, [gauge("a", 9)]);
    expect(sampleValue(await client.group(odd), "a")).toBe(9);
    expect(sampleValue(await client.group(group), "a")).toBe(5);
    await client.delete(odd);
  });

  it("DELETE removes the group", async () => {
    await client.delete(group);
    expect(await client.group(group)).toBeUndefined();
  });

  it("an inconsistent push is a PushRejectedError with the status and the gateway's reason, and marks the group's push as failed", async () => {
    // The same metric name with another type in another group is refused by the Pushgateway.
    const other = { job: "probe-test-other" };
    await client.put(group, [gauge("a", 1)]);
    await client.put(other, [gauge("conflicting", 1)]);
    const err = await client.put(group, [{ name: "conflicting", help: "h", type: "counter", samples: [{ value: 1 }] }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushRejectedError);
    expect((err as PushRejectedError).status).toBe(400);
    expect((err as PushRejectedError).code).toBe("PGW_REJECTED");
    expect((err as Error).message).toMatch(/inconsistent/);
    // What RegistryIntegrityProbePushFailed reads: the refused push is newer
    // than the last accepted one, and the group keeps its old samples.
    const refused = await client.group(group);
    expect(refused?.pushFailureTimeSeconds).toBeGreaterThan(refused?.pushTimeSeconds ?? Infinity);
    expect(sampleValue(refused, "a")).toBe(1);
    await client.put(group, [gauge("a", 2)]);
    const accepted = await client.group(group);
    expect(accepted?.pushTimeSeconds).toBeGreaterThan(accepted?.pushFailureTimeSeconds ?? Infinity);
    await client.delete(other);
    await client.delete(group);
  });

  it("a Pushgateway that is down is a PushUnreachableError; a silent one a PushTimeoutError", async () => {
    const down = new PushgatewayClient({ url: "http://127.0.0.1:1" });
    await expect(down.put(group, [gauge("a", 1)])).rejects.toBeInstanceOf(PushUnreachableError);
    const hung = new PushgatewayClient({ url: slow.url, timeoutMs: 200 });
    const err = await hung.put(group, [gauge("a", 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushTimeoutError);
    expect((err as Error).message).toMatch(/200 ms/);
  });

  it("an answer past the size cap is a PushProtocolError, read no further (a hostile /api/v1/metrics)", async () => {
    let sent = 0;
    const huge = await startScriptedServer(() => ({
      status: 200,
      headers: { "content-type": "application/json" },
      bodyStream: (async function* () {
        const chunk = new Uint8Array(1024 * 1024).fill(0x20);
        // Twice the cap, so a client without one would read it all.
        for (let i = 0; i < (2 * MAX_ANSWER_BYTES) / chunk.length; i++, sent += chunk.length) yield chunk;
      })(),
    }));
    try {
      const err = await new PushgatewayClient({ url: huge.url }).groups().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PushProtocolError);
      expect((err as Error).message).toMatch(new RegExp(`larger than ${MAX_ANSWER_BYTES} bytes`));
      expect(sent).toBeLessThan(2 * MAX_ANSWER_BYTES);
    } finally {
      await huge.stop();
    }
  });

  it("keeps a path prefix of the base URL", () => {
    const prefixed = new PushgatewayClient({ url: "http://pg.example:9091/gw/" });
    expect(prefixed.groupUrl(group).toString()).toBe("http://pg.example:9091/gw/metrics/job/probe-test/instance/registry.example%3A5000");
    expect(() => new PushgatewayClient({ url: "http://u:p@pg.example" })).toThrow(/credentials/);
  });

  describe("retryPush", () => {
    /** A front that answers the first `failures` requests itself and forwards the rest to the real Pushgateway. */
    async function flakyFront(failures: number, status: number): Promise<StartedScriptedServer> {
      let seen = 0;
      return startScriptedServer(async (req) => {
        if (seen++ < failures) return { status, body: `scripted ${status}` };
        const res = await fetch(`${pg.url}${req.path}`, {
          method: req.method,
          ...(req.method === "PUT" || req.method === "POST" ? { body: req.body, headers: { "content-type": req.headers["content-type"] ?? "" } } : {}),
        });
        return { status: res.status, body: await res.text() };
      });
    }
    const retried = { job: "probe-test-retry", labels: { instance: "flaky" } };

    it("retries a 503 and the push arrives", async () => {
      const front = await flakyFront(1, 503);
      try {
        const notices: PushRetryNotice[] = [];
        await retryPush(() => new PushgatewayClient({ url: front.url }).put(retried, [gauge("a", 3)]), { delaysMs: [50, 50], onRetry: (n) => notices.push(n) });
        expect(front.requests.map((r) => r.method)).toEqual(["PUT", "PUT"]);
        expect(notices.map((n) => [n.attempt, n.attempts, n.delayMs, n.error.status])).toEqual([[1, 3, 50, 503]]);
        expect(sampleValue(await client.group(retried), "a")).toBe(3);
      } finally {
        await front.stop();
        await client.delete(retried);
      }
    });

    it("never retries a 4xx", async () => {
      const front = await flakyFront(1, 400);
      try {
        const notices: PushRetryNotice[] = [];
        const err = await retryPush(() => new PushgatewayClient({ url: front.url }).put(retried, [gauge("a", 4)]), {
          delaysMs: [50, 50],
          onRetry: (n) => notices.push(n),
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PushRejectedError);
        expect(front.requests).toHaveLength(1);
        expect(notices).toEqual([]);
        expect(await client.group(retried)).toBeUndefined();
      } finally {
        await front.stop();
      }
    });

    it("gives up after the last delay with the last error", async () => {
      const notices: PushRetryNotice[] = [];
      const down = new PushgatewayClient({ url: "http://127.0.0.1:1" });
      const started = Date.now();
      const err = await retryPush(() => down.put(retried, [gauge("a", 1)]), { delaysMs: [100, 200], onRetry: (n) => notices.push(n) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PushUnreachableError);
      expect(notices.map((n) => [n.attempt, n.delayMs, n.error.code])).toEqual([
        [1, 100, "PGW_UNREACHABLE"],
        [2, 200, "PGW_UNREACHABLE"],
      ]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });

    it("stops waiting when the signal aborts", async () => {
      const down = new PushgatewayClient({ url: "http://127.0.0.1:1" });
      const stop = new AbortController();
      const started = Date.now();
      const err = await retryPush(() => down.put(retried, [gauge("a", 1)]), { delaysMs: [10_000], signal: stop.signal, onRetry: () => stop.abort() }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PushUnreachableError);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});
