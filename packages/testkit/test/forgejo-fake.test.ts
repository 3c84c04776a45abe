// Fake-only behaviour: the test hooks (clock, forced failures, request log, inspection) and the
// corners the shared contract does not reach cheaply (catalog cap, visibility, Ghost tokens, blobs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startForgejoFake, type StartedForgejoFake } from "../src/forgejo-fake/index.js";
import { basic, http, OCI_MANIFEST, rest, sha256, V2, type PackageRow } from "./forgejo-raw.js";

describe("Forgejo fake", () => {
  let fake: StartedForgejoFake;
  let v2: V2;
  beforeAll(async () => {
    fake = await startForgejoFake({
      users: [{ login: "viktor" }, { login: "root", isAdmin: true }, { login: "secret", visibility: "private" }, { login: "narrow", scopes: ["read:package"] }],
      orgs: [
        { name: "hidden", owners: ["viktor"], visibility: "private" },
        { name: "pub", members: ["viktor"] },
      ],
    });
    v2 = new V2(fake.url, "viktor", fake.user("viktor").token);
  });
  afterAll(async () => {
    await fake?.stop();
  });
  const api = (login = "viktor") => rest(fake.url, fake.user(login).token);

  it("setNow fixes created_at to the second; ties list by id ascending; a re-push moves to the top", async () => {
    fake.setNow(new Date("2024-05-01T12:00:00.900Z"));
    const first = await v2.image("viktor/clock", "a");
    await v2.putManifest("viktor/clock", "b", OCI_MANIFEST, first.bytes);
    fake.setNow(new Date("2024-05-01T12:00:05Z"));
    await v2.putManifest("viktor/clock", "a", OCI_MANIFEST, first.bytes);
    const view = fake.versions("viktor", "clock");
    expect(view.map((v) => [v.version, v.createdAt.toISOString()])).toEqual([
      ["a", "2024-05-01T12:00:05.000Z"],
      ["b", "2024-05-01T12:00:00.000Z"],
    ]);
    expect(view.every((v) => v.digest === first.digest)).toBe(true);
    const rows = (await api().get("/api/v1/packages/viktor?type=container&q=clock")).json<PackageRow[]>();
    expect(rows.map((r) => [r.version, r.created_at])).toEqual([
      ["a", "2024-05-01T12:00:05Z"],
      ["b", "2024-05-01T12:00:00Z"],
    ]);
    fake.setNow(new Date("2024-05-01T12:00:05Z"));
    await v2.putManifest("viktor/clock", "c", OCI_MANIFEST, first.bytes);
    const tie = fake.versions("viktor", "clock");
    expect(tie.map((v) => v.version)).toEqual(["a", "c", "b"]);
    expect(tie[0]!.id).toBeLessThan(tie[1]!.id);
  });

  it("failNext forces answers for matching requests, then lets them through; requests keeps raw paths", async () => {
    await v2.image("viktor/team/app", "v1");
    fake.failNext({ method: "DELETE", pathIncludes: "team%2Fapp" }, { status: 500, body: "boom" }, 2);
    const path = "/api/v1/packages/viktor/container/team%2Fapp/v1";
    expect((await api().del(path)).status).toBe(500);
    expect((await api().del(path)).status).toBe(500);
    expect((await api().del(path)).status).toBe(204);
    expect(fake.requests.filter((r) => r.method === "DELETE" && r.path === path)).toHaveLength(3);
  });

  it("beforeNext runs a hook while the matching request waits, then answers it normally", async () => {
    await v2.image("viktor/hooked", "v1");
    await v2.image("viktor/hooked", "v2");
    const seen: string[] = [];
    fake.beforeNext({ method: "DELETE", pathIncludes: "/container/hooked/" }, async (req) => {
      seen.push(`${req.method} ${req.path}`);
      // The DELETE is still waiting: the version it names is there to be deleted.
      expect(fake.versions("viktor", "hooked").map((v) => v.version)).toContain("v1");
      await v2.image("viktor/hooked", "v3");
    });
    expect((await api().del("/api/v1/packages/viktor/container/hooked/v1")).status).toBe(204);
    expect(seen).toEqual(["DELETE /api/v1/packages/viktor/container/hooked/v1"]);
    expect(
      fake
        .versions("viktor", "hooked")
        .map((v) => v.version)
        .sort(),
    ).toEqual(["v2", "v3"]);
    // Used up: the next DELETE is not held.
    expect((await api().del("/api/v1/packages/viktor/container/hooked/v2")).status).toBe(204);
    expect(seen).toHaveLength(1);
    fake.beforeNext({ method: "DELETE", pathIncludes: "/container/hooked/" }, () => {
      throw new Error("hook broke");
    });
    const failed = await api().del("/api/v1/packages/viktor/container/hooked/v3");
    expect(failed.status).toBe(500);
    expect(failed.text).toMatch(/hook broke/);
    expect(fake.versions("viktor", "hooked").map((v) => v.version)).toEqual(["v3"]);
  });

  it("catalog: n above 100 is 100, and a full page carries Link", async () => {
    const bytes = (await v2.image("viktor/cap-000", "v1")).bytes;
    for (let i = 1; i <= 100; i++) {
      const repo = `viktor/cap-${String(i).padStart(3, "0")}`;
      await v2.image(repo, "v1", { seed: "cap" });
      expect((await v2.putManifest(repo, "v2", OCI_MANIFEST, bytes)).status).toBe(404); // blobs live per image
    }
    const res = await v2.req("GET", "/v2/_catalog?n=1000");
    const repos = res.json<{ repositories: string[] }>().repositories;
    expect(repos).toHaveLength(100);
    expect(res.headers.link).toBe(`</v2/_catalog?last=${encodeURIComponent(repos[99]!)}&n=100>; rel="next"`);
  });

  it("Ghost tokens read public owners only; private owners stay out of their catalog", async () => {
    const hidden = new V2(fake.url, "viktor", fake.user("viktor").token);
    await hidden.image("hidden/app", "v1");
    const ghost = (await http("GET", `${fake.url}/v2/token`)).json<{ token: string }>().token;
    const bearer = { authorization: `Bearer ${ghost}` };
    const cat = (await http("GET", `${fake.url}/v2/_catalog`, { headers: bearer })).json<{ repositories: string[] }>();
    expect(cat.repositories).not.toContain("hidden/app");
    const later = (await http("GET", `${fake.url}/v2/_catalog?last=viktor/cap-100`, { headers: bearer })).json<{ repositories: string[] }>();
    expect(later.repositories).toContain("viktor/clock");
    expect((await http("GET", `${fake.url}/v2/viktor/clock/manifests/a`, { headers: bearer })).status).toBe(200);
    const denied = await http("GET", `${fake.url}/v2/hidden/app/manifests/v1`, { headers: bearer });
    expect(denied.status).toBe(401);
    expect(denied.headers["www-authenticate"]).toBe('Basic realm="Gitea Package API"');
    expect((await v2.req("GET", "/v2/_catalog")).json<{ repositories: string[] }>().repositories).toContain("hidden/app");
    expect((await api("root").get("/api/v1/packages/hidden?type=container")).json<unknown[]>()).toHaveLength(1);
    expect((await api("narrow").get("/api/v1/packages/hidden?type=container")).status).toBe(403);
  });

  it("Basic login:password works on /v2 and REST; unknown owners are 404", async () => {
    const pw = basic("viktor", fake.user("viktor").password);
    expect((await http("GET", `${fake.url}/v2/`, { headers: { authorization: pw } })).status).toBe(200);
    expect((await http("GET", `${fake.url}/api/v1/user`, { headers: { authorization: pw } })).json()).toMatchObject({ login: "viktor" });
    expect((await api().get("/api/v1/packages/nobody?type=container")).status).toBe(404);
    expect((await v2.req("GET", "/v2/nobody/app/tags/list")).status).toBe(404);
    expect((await v2.req("GET", "/v2/viktor/never-pushed/tags/list")).json()).toMatchObject({ errors: [{ code: "NAME_UNKNOWN" }] });
  });

  it("/api/v1/user needs read:user; a non-member asking about someone else is redirected to public_members", async () => {
    expect((await api("narrow").get("/api/v1/user")).status).toBe(403);
    expect((await api("root").get("/api/v1/user")).json()).toMatchObject({ login: "root", is_admin: true });
    const res = await rest(fake.url, fake.user("narrow").token).get("/api/v1/orgs/hidden/members/viktor");
    expect(res.status).toBe(403); // no read:organization scope
    expect((await api("secret").get("/api/v1/orgs/hidden/members/viktor")).status).toBe(404); // private org: invisible
    const redirect = await api("secret").get("/api/v1/orgs/pub/members/viktor");
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe("/api/v1/orgs/pub/public_members/viktor");
    expect((await api("secret").get(redirect.headers.location!)).status).toBe(404); // memberships are private
    expect((await api("root").get("/api/v1/orgs/pub/members/secret")).status).toBe(404);
  });

  it("blobs: visible after upload, claimed by a manifest, gone with the last version that holds them", async () => {
    const layer = Buffer.from("only-layer");
    const digest = await v2.blob("viktor/blobby", layer);
    expect((await v2.req("HEAD", `/v2/viktor/blobby/blobs/${digest}`)).status).toBe(200);
    const img = await v2.image("viktor/blobby", "v1", { seed: "blobby" });
    const files = (await api().get("/api/v1/packages/viktor/container/blobby/v1/files")).json<Array<{ name: string; sha256: string }>>();
    const layerDigest = `sha256:${files.find((f) => f.name !== "manifest.json" && f.sha256 !== sha256(img.bytes).slice(7))!.sha256}`;
    expect((await api().del("/api/v1/packages/viktor/container/blobby/v1")).status).toBe(204);
    expect((await v2.req("HEAD", `/v2/viktor/blobby/blobs/${layerDigest}`)).status).toBe(404);
    expect((await v2.req("HEAD", `/v2/viktor/blobby/blobs/${digest}`)).status).toBe(200); // still parked in uploads
    const mount = await v2.req("POST", `/v2/viktor/mounted/blobs/uploads?mount=${digest}&from=viktor/blobby`);
    expect(mount.status).toBe(201);
    expect((await v2.req("HEAD", `/v2/viktor/mounted/blobs/${digest}`)).status).toBe(200);
  });

  it("rootUrl sets the Bearer realm and html_url", async () => {
    const other = await startForgejoFake({ rootUrl: "https://forgejo.example.invalid", users: [{ login: "viktor" }] });
    try {
      const res = await http("GET", `${other.url}/v2/`);
      expect(res.headers["www-authenticate"]).toContain('realm="https://forgejo.example.invalid/v2/token"');
      await new V2(other.url, "viktor", other.user("viktor").token).image("viktor/app", "v1");
      const rows = (await rest(other.url, other.user("viktor").token).get("/api/v1/packages/viktor")).json<Array<{ html_url: string }>>();
      expect(rows[0]!.html_url).toBe("https://forgejo.example.invalid/viktor/-/packages/container/app/v1");
    } finally {
      await other.stop();
    }
    await expect(startForgejoFake({ users: [{ login: "a" }], orgs: [{ name: "o", members: ["ghost"] }] })).rejects.toThrow(/member ghost/);
    expect(() => fake.user("nobody")).toThrow(/unknown owner/);
  });
});

// Package write in an org comes from the Owners team or a team with the packages unit at write
// (services/context/package.go: determineAccessMode); being a member is not enough.
describe("Forgejo fake: org teams and package write", () => {
  let fake: StartedForgejoFake;
  beforeAll(async () => {
    fake = await startForgejoFake({
      users: [{ login: "boss" }, { login: "dev" }, { login: "reader" }, { login: "plain" }, { login: "outsider" }],
      orgs: [
        {
          name: "acme",
          owners: ["boss"],
          members: ["plain"],
          teams: [
            { name: "builders", members: ["dev"], packages: "write" },
            { name: "auditors", members: ["reader"], packages: "read" },
          ],
        },
      ],
    });
    await new V2(fake.url, "boss", fake.user("boss").token).image("acme/app", "v1");
  });
  afterAll(async () => {
    await fake?.stop();
  });
  const api = (login: string) => rest(fake.url, fake.user(login).token);
  const v2As = (login: string) => new V2(fake.url, login, fake.user(login).token);

  it("owners and a packages:write team push; read-only members and plain members get 401 on a push", async () => {
    await v2As("dev").image("acme/app", "dev");
    for (const login of ["reader", "plain", "outsider"]) {
      const res = await v2As(login).req("POST", "/v2/acme/app/blobs/uploads");
      expect([login, res.status]).toEqual([login, 401]);
    }
    for (const login of ["reader", "plain"]) expect((await v2As(login).req("GET", "/v2/acme/app/manifests/v1")).status).toBe(200);
  });

  it("only owners and a packages:write team delete; a member without package write gets 403 but still 404 for a version that does not exist", async () => {
    await v2As("boss").image("acme/app", "v2");
    for (const login of ["reader", "plain", "outsider"]) {
      expect([login, (await api(login).del("/api/v1/packages/acme/container/app/v2")).status]).toEqual([login, 403]);
      // The version lookup answers before the user's access is checked: a probe cannot see this.
      expect([login, (await api(login).del("/api/v1/packages/acme/container/app/nope")).status]).toEqual([login, 404]);
    }
    expect((await api("dev").del("/api/v1/packages/acme/container/app/v2")).status).toBe(204);
    expect((await api("boss").del("/api/v1/packages/acme/container/app/dev")).status).toBe(204);
    // Every kind of member is a member.
    for (const login of ["boss", "dev", "reader", "plain"]) expect((await api("boss").get(`/api/v1/orgs/acme/members/${login}`)).status).toBe(204);
  });
});
