// Real docker-registry in each auth mode: /v2/ answers, Basic and Bearer flows, damage helpers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { ACCEPT_ALL_MANIFESTS, hasBinary, pushImage, startRegistry, type StartedRegistry } from "../src/index.js";

const missing = !hasBinary("docker-registry");
if (missing) console.warn("skipping registry tests: docker-registry not on PATH (apt-get install docker-registry)");

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
}

describe.skipIf(missing)("startRegistry", () => {
  const started: StartedRegistry[] = [];
  let anon: StartedRegistry;
  let htpasswd: StartedRegistry;
  let token: StartedRegistry;
  beforeAll(async () => {
    [anon, htpasswd, token] = await Promise.all([startRegistry(), startRegistry({ auth: "htpasswd" }), startRegistry({ auth: "token" })]);
    started.push(anon, htpasswd, token);
  });
  afterAll(async () => {
    await Promise.all(started.map((r) => r.stop()));
  });

  it("anonymous registry answers /v2/ with 200", async () => {
    expect(anon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(anon.host).toBe(anon.url.slice("http://".length));
    const res = await request(`${anon.url}/v2/`);
    await res.body.dump();
    expect(res.statusCode).toBe(200);
  });

  it("cpuSeconds: the registry process's own CPU, which its requests add to (benches on shared cores)", async () => {
    const before = await anon.cpuSeconds();
    for (let i = 0; i < 300; i++) {
      const res = await request(`${anon.url}/v2/bench/none/manifests/sha256:${"0".repeat(64)}`, { method: "HEAD" });
      await res.body.dump();
    }
    const after = await anon.cpuSeconds();
    expect(before).toBeGreaterThanOrEqual(0);
    expect(after - before).toBeGreaterThan(0.05);
  });

  it("htpasswd registry: 401 with a Basic challenge, 200 with credentials, 401 with a wrong password", async () => {
    const none = await request(`${htpasswd.url}/v2/`);
    await none.body.dump();
    expect(none.statusCode).toBe(401);
    expect(String(none.headers["www-authenticate"])).toMatch(/^Basic /);
    const ok = await request(`${htpasswd.url}/v2/`, { headers: { authorization: basic("tester", "s3cret-pass") } });
    await ok.body.dump();
    expect(ok.statusCode).toBe(200);
    const bad = await request(`${htpasswd.url}/v2/`, { headers: { authorization: basic("tester", "nope") } });
    await bad.body.dump();
    expect(bad.statusCode).toBe(401);
  });

  it("token registry: Bearer challenge, token from the kit's realm opens /v2/ and the catalog", async () => {
    const none = await fetch(`${token.url}/v2/_catalog`);
    expect(none.status).toBe(401);
    const challenge = none.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="[^"]+",scope="registry:catalog:\*"/);
    const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? "";
    const service = /service="([^"]+)"/.exec(challenge)?.[1] ?? "";
    expect(realm).toBe(token.tokenRealm);
    const before = token.tokenRequests;
    const tr = await fetch(`${realm}?service=${service}&scope=registry:catalog:*`, { headers: { authorization: basic("tester", "s3cret-pass") } });
    expect(tr.status).toBe(200);
    const body = (await tr.json()) as { token: string; access_token: string; expires_in: number };
    expect(body.token).toBe(body.access_token);
    expect(token.tokenRequests).toBe(before + 1);
    const cat = await fetch(`${token.url}/v2/_catalog`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(cat.status).toBe(200);
    expect(await cat.json()).toEqual({ repositories: [] });
    const bad = await fetch(`${realm}?service=${service}`, { headers: { authorization: basic("tester", "wrong") } });
    expect(bad.status).toBe(401);
  });

  it.each(["anon", "htpasswd", "token"] as const)("pushImage works against the %s registry", async (mode) => {
    const reg = mode === "anon" ? anon : mode === "htpasswd" ? htpasswd : token;
    const img = await pushImage({ url: reg.url, username: reg.username, password: reg.password }, "team/app", "v1", { layers: 2, seed: "s1" });
    expect(img.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(img.layers).toHaveLength(2);
    const again = await pushImage({ url: reg.url, username: reg.username, password: reg.password }, "team/app", "v1", { layers: 2, seed: "s1" });
    expect(again.digest).toBe(img.digest); // deterministic from the seed
    if (mode === "anon") {
      const res = await request(`${reg.url}/v2/team/app/manifests/${img.digest}`, { headers: { accept: ACCEPT_ALL_MANIFESTS } });
      expect(res.statusCode).toBe(200);
      expect(Buffer.from(await res.body.arrayBuffer())).toEqual(Buffer.from(img.manifest));
    }
  });
});
