// Against the real Pushgateway (Debian prometheus-pushgateway): PUT replaces
// the whole group, POST only same-named series, DELETE removes the group,
// and failures come back as typed errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushgateway, startScriptedServer, type StartedPushgateway, type StartedScriptedServer } from "@regguard/testkit";
import {
  PushRejectedError, PushTimeoutError, PushUnreachableError, PushgatewayClient, sampleValue, type MetricFamily,
} from "../src/index.js";

const gauge = (name: string, value: number, labels?: Record<string, string>): MetricFamily => ({
  name, help: `help for ${name}`, type: "gauge", samples: [{ value, ...(labels ? { labels } : {}) }],
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
    expect(series.map((s) => [s.name, s.labels, s.value])).toEqual(expect.arrayContaining([
      ["a", { job: "probe-test", instance: "registry.example:5000" }, 1],
      ["b", { job: "probe-test", instance: "registry.example:5000", kind: 'x"y' }, 2],
    ]));
    await client.put(group, [gauge("a", 5)]);
    series = (await pg.series()).filter((s) => s.labels.job === "probe-test" && !s.name.startsWith("push_"));
    expect(series.map((s) => s.name)).toEqual(["a"]);
    await client.post(group, [gauge("c", 7)]);
    const held = await client.group(group);
    expect(sampleValue(held, "a")).toBe(5);
    expect(sampleValue(held, "c")).toBe(7);
    expect(held?.pushTimeSeconds).toBeGreaterThan(1e9);
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

  it("an inconsistent push is a PushRejectedError with the status and the gateway's reason", async () => {
    // The same metric name with another type in another group is refused by the Pushgateway.
    const other = { job: "probe-test-other" };
    await client.put(other, [gauge("conflicting", 1)]);
    const err = await client.put(group, [{ name: "conflicting", help: "h", type: "counter", samples: [{ value: 1 }] }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushRejectedError);
    expect((err as PushRejectedError).status).toBe(400);
    expect((err as PushRejectedError).code).toBe("REJECTED");
    expect((err as Error).message).toMatch(/inconsistent/);
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

  it("keeps a path prefix of the base URL", () => {
    const prefixed = new PushgatewayClient({ url: "http://pg.example:9091/gw/" });
    expect(prefixed.groupUrl(group).toString()).toBe("http://pg.example:9091/gw/metrics/job/probe-test/instance/registry.example%3A5000");
    expect(() => new PushgatewayClient({ url: "http://u:p@pg.example" })).toThrow(/credentials/);
  });
});
