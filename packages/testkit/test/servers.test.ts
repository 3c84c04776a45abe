// Pushgateway read-back, scripted server recording, delay proxy latency, binary lookup errors.
import { afterAll, describe, expect, it } from "vitest";
import { request } from "undici";
import {
  BinaryMissingError,
  hasBinary,
  pushImage,
  requireBinary,
  startDelayProxy,
  startLatencyProxy,
  startPushgateway,
  startRegistry,
  startScriptedServer,
  type StartedServer,
} from "../src/index.js";

const stops: StartedServer[] = [];
afterAll(async () => {
  await Promise.all(stops.map((s) => s.stop()));
});

const noPushgateway = !hasBinary("prometheus-pushgateway");
if (noPushgateway) console.warn("skipping pushgateway test: prometheus-pushgateway not on PATH (apt-get install prometheus-pushgateway)");
const noRegistry = !hasBinary("docker-registry");
if (noRegistry) console.warn("skipping delay proxy test: docker-registry not on PATH (apt-get install docker-registry)");

describe("binaries", () => {
  it("requireBinary names the binary and, when known, its apt package", () => {
    expect(() => requireBinary("regguard-no-such-binary")).toThrow(/^regguard-no-such-binary not found on PATH: no Debian package is known/);
    const err = (() => {
      try {
        requireBinary("docker-registry", { path: "/nonexistent" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BinaryMissingError);
    expect((err as BinaryMissingError).code).toBe("BINARY_MISSING");
    expect((err as Error).message).toBe('docker-registry not found on PATH: install the Debian package "docker-registry" (apt-get install docker-registry)');
    expect(hasBinary("regguard-no-such-binary")).toBe(false);
    expect(hasBinary("node")).toBe(true);
  });
});

describe.skipIf(noPushgateway)("startPushgateway", () => {
  it("reads back what a PUT stored, with group labels", async () => {
    const pg = await startPushgateway();
    stops.push(pg);
    const body = '# TYPE registry_manifest_integrity_failures gauge\nregistry_manifest_integrity_failures 2\nother_metric{kind="x"} 1.5\n';
    const res = await request(`${pg.url}/metrics/job/probe/instance/reg.example`, { method: "PUT", body });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    const series = await pg.series();
    expect(series).toContainEqual({ name: "registry_manifest_integrity_failures", labels: { job: "probe", instance: "reg.example" }, value: 2 });
    expect(series).toContainEqual({ name: "other_metric", labels: { job: "probe", instance: "reg.example", kind: "x" }, value: 1.5 });
  });
});

describe("startScriptedServer", () => {
  it("answers from the handler and records method, path, headers and body", async () => {
    const srv = await startScriptedServer((req) =>
      req.path === "/drop"
        ? { destroy: true }
        : req.method === "POST"
          ? { status: 201, headers: { location: "/next" }, body: { ok: true } }
          : { status: 404, body: "nope", delayMs: 20 },
    );
    stops.push(srv);
    const post = await fetch(`${srv.url}/v2/x?y=1`, { method: "POST", body: "hello", headers: { "x-test": "1" } });
    expect(post.status).toBe(201);
    expect(post.headers.get("content-type")).toBe("application/json");
    expect(await post.json()).toEqual({ ok: true });
    const started = Date.now();
    const miss = await fetch(`${srv.url}/missing`);
    expect(miss.status).toBe(404);
    expect(await miss.text()).toBe("nope");
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    await expect(fetch(`${srv.url}/drop`)).rejects.toThrow();
    expect(srv.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v2/x?y=1", "GET /missing", "GET /drop"]);
    expect(srv.requests[0]?.headers["x-test"]).toBe("1");
    expect(srv.requests[0]?.body.toString()).toBe("hello");
    expect(srv.host).toBe(srv.url.slice("http://".length));
  });

  it("streams bodyStream chunks", async () => {
    const srv = await startScriptedServer(() => ({
      bodyStream: (async function* () {
        yield Buffer.from("a");
        yield Buffer.from("b");
      })(),
    }));
    stops.push(srv);
    expect(await (await fetch(srv.url)).text()).toBe("ab");
  });
});

describe.skipIf(noRegistry)("startDelayProxy", () => {
  it("forwards to a real registry with latency, and pushes work through it", async () => {
    const reg = await startRegistry();
    stops.push(reg);
    const proxy = await startDelayProxy(reg.url, { delayMs: 0, delayFor: (r) => (r.path === "/v2/" ? 150 : 0) });
    stops.push(proxy);
    const t = Date.now();
    const res = await fetch(`${proxy.url}/v2/`);
    expect(res.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    const img = await pushImage({ url: proxy.url }, "via/proxy", "v1");
    const m = await fetch(`${proxy.url}/v2/via/proxy/manifests/v1`, { headers: { accept: img.mediaType } });
    expect(m.status).toBe(200);
    expect(proxy.requests.length).toBeGreaterThan(5);
  });
});

describe.skipIf(noRegistry)("startLatencyProxy", () => {
  it("delays what the client sends, keeps the bytes intact both ways, and a push and pull work through it", async () => {
    const reg = await startRegistry();
    stops.push(reg);
    const proxy = await startLatencyProxy(reg.url, { delayMs: 120 });
    stops.push(proxy);
    const t = Date.now();
    const res = await fetch(`${proxy.url}/v2/`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    const img = await pushImage({ url: proxy.url }, "via/latency", "v1", { layerSize: 3 * 1024 * 1024 });
    const m = await fetch(`${proxy.url}/v2/via/latency/manifests/v1`, { headers: { accept: img.mediaType } });
    expect(m.status).toBe(200);
    expect(m.headers.get("docker-content-digest")).toBe(img.digest);
    expect(Buffer.from(await m.arrayBuffer()).equals(Buffer.from(img.manifest))).toBe(true);
    expect(proxy.connections).toBeGreaterThanOrEqual(1);
    await proxy.stop();
    await expect(fetch(`${proxy.url}/v2/`)).rejects.toThrow();
  });
});
