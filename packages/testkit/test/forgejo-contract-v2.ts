// Contract cases for /v2: auth and token shape, naming, catalog and tags quirks, manifests and blobs.
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { basic, DOCKER_MANIFEST, http, listAll, OCI_INDEX, OCI_MANIFEST, sha256, V2 } from "./forgejo-raw.js";
import type { ContractTarget } from "./forgejo-target.js";

const uid = () => randomUUID().slice(0, 8);

export function v2Cases(get: () => ContractTarget): void {
  const v2 = () => new V2(get().url, get().owner.login, get().owner.token);

  it("GET /v2/ without credentials: 401 with the Bearer challenge at ROOT_URL/v2/token", async () => {
    const res = await http("GET", `${get().url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(`Bearer realm="${get().url}/v2/token",service="container_registry",scope="*"`);
    expect(res.json()).toMatchObject({ errors: [{ code: "UNAUTHORIZED" }] });
  });

  it("/v2/token with Basic user:PAT returns only {token}; Bearer and Basic both open /v2/", async () => {
    const { url, owner } = get();
    const res = await http("GET", `${url}/v2/token?scope=repository:x:pull&service=container_registry`, {
      headers: { authorization: basic(owner.login, owner.token) },
    });
    expect(res.status).toBe(200);
    const body = res.json<Record<string, string>>();
    expect(Object.keys(body)).toEqual(["token"]);
    expect(body.token!.split(".")).toHaveLength(3);
    expect((await http("GET", `${url}/v2/`, { headers: { authorization: `Bearer ${body.token}` } })).status).toBe(200);
    expect((await http("GET", `${url}/v2/`, { headers: { authorization: basic(owner.login, owner.token) } })).status).toBe(200);
    const anon = await http("GET", `${url}/v2/token`);
    expect(anon.status).toBe(200);
    expect(Object.keys(anon.json<object>())).toEqual(["token"]);
    const bad = await http("GET", `${url}/v2/`, { headers: { authorization: basic(owner.login, "not-a-token") } });
    expect(bad.status).toBe(401);
  });

  it("a tag push creates a version named after the lower-cased tag; owner is lower-cased too", async () => {
    const { url, owner } = get();
    const img = `tag-${uid()}`;
    await v2().image(`${owner.login.toUpperCase()}/${img}`, "V1.0-RC1");
    const rows = await listAll(url, owner.token, owner.login, img);
    expect(rows.map((r) => [r.name, r.version, r.type])).toEqual([[img, "v1.0-rc1", "container"]]);
    const tags = await v2().req("GET", `/v2/${owner.login}/${img}/tags/list`);
    expect(tags.json()).toEqual({ name: `${owner.login}/${img}`, tags: ["v1.0-rc1"] });
    expect((await v2().req("HEAD", `/v2/${owner.login}/${img}/manifests/V1.0-RC1`)).status).toBe(200);
  });

  it("an upper-case image name is refused with NAME_INVALID", async () => {
    const res = await v2().req("GET", `/v2/${get().owner.login}/Upper-${uid()}/tags/list`);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ code: "NAME_INVALID" }] });
  });

  it("a digest push creates an untagged sha256: version that tags/list leaves out", async () => {
    const { url, owner } = get();
    const img = `dig-${uid()}`;
    const pushed = await v2().image(`${owner.login}/${img}`);
    await v2().image(`${owner.login}/${img}`, "latest");
    const versions = (await listAll(url, owner.token, owner.login, img)).map((r) => r.version).sort();
    expect(versions).toEqual(["latest", pushed.digest].sort());
    expect((await v2().req("GET", `/v2/${owner.login}/${img}/tags/list`)).json()).toMatchObject({ tags: ["latest"] });
  });

  it("the same digest sits in several versions, each with its own id; re-pushing a tag gives a new id", async () => {
    const { url, owner } = get();
    const img = `same-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const first = await v2().image(repo, "a", { seed: "same" });
    for (const ref of ["b", first.digest]) expect((await v2().putManifest(repo, ref, OCI_MANIFEST, first.bytes)).status).toBe(201);
    const rows = await listAll(url, owner.token, owner.login, img);
    expect(rows.map((r) => r.version).sort()).toEqual(["a", "b", first.digest].sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    const oldA = rows.find((r) => r.version === "a")!;
    const again = await v2().putManifest(repo, "a", OCI_MANIFEST, first.bytes);
    expect(again.headers["docker-content-digest"]).toBe(first.digest);
    const newA = (await listAll(url, owner.token, owner.login, img)).find((r) => r.version === "a")!;
    expect(newA.id).toBeGreaterThan(oldA.id);
    expect(Date.parse(newA.created_at)).toBeGreaterThanOrEqual(Date.parse(oldA.created_at));
  });

  it("HEAD/GET manifests ignore Accept: stored media type and Docker-Content-Digest", async () => {
    const repo = `${get().owner.login}/acc-${uid()}`;
    const pushed = await v2().image(repo, "v1");
    for (const method of ["HEAD", "GET"]) {
      const res = await v2().req(method, `/v2/${repo}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe(OCI_MANIFEST);
      expect(res.headers["docker-content-digest"]).toBe(pushed.digest);
      expect(Number(res.headers["content-length"])).toBe(pushed.size);
      if (method === "GET") expect(sha256(res.body)).toBe(pushed.digest);
    }
    const byDigest = await v2().req("GET", `/v2/${repo}/manifests/${pushed.digest}`, { headers: { accept: OCI_INDEX } });
    expect(byDigest.status).toBe(200);
    const missing = await v2().req("GET", `/v2/${repo}/manifests/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ errors: [{ code: "MANIFEST_UNKNOWN" }] });
  });

  it("a PUT by digest does not check that the body hashes to it", async () => {
    const { url, owner } = get();
    const img = `lie-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const real = await v2().image(repo, "v1");
    const claimed = `sha256:${"0".repeat(64)}`;
    const res = await v2().putManifest(repo, claimed, OCI_MANIFEST, real.bytes);
    expect(res.status).toBe(201);
    expect(res.headers["docker-content-digest"]).toBe(real.digest);
    expect((await listAll(url, owner.token, owner.login, img)).map((r) => r.version)).toContain(claimed);
    // The stored digest is the body's, so the claimed one resolves to nothing.
    expect((await v2().req("HEAD", `/v2/${repo}/manifests/${claimed}`)).status).toBe(404);
    // Only the files API tells what the lying version holds: manifest.json's sha256 is the body's.
    const files = await http("GET", `${url}/api/v1/packages/${owner.login}/container/${img}/${claimed}/files`, {
      headers: { authorization: `token ${owner.token}` },
    });
    expect(files.status).toBe(200);
    const manifest = files.json<Array<{ name: string; sha256: string }>>().find((f) => f.name === "manifest.json");
    expect(`sha256:${manifest?.sha256 ?? ""}`).toBe(real.digest);
  });

  it("chunked blob upload: POST 202, PATCH ranges, PUT ?digest 201, then HEAD/GET the blob", async () => {
    const repo = `${get().owner.login}/blob-${uid()}`;
    const bytes = Buffer.from(`chunked ${uid()} `.repeat(50));
    const start = await v2().req("POST", `/v2/${repo}/blobs/uploads/`);
    expect(start.status).toBe(202);
    const loc = start.headers.location!;
    expect(loc).toMatch(new RegExp(`^(${get().url})?/v2/${repo}/blobs/uploads/`));
    const path = new URL(loc, get().url).pathname;
    const p1 = await v2().req("PATCH", path, { headers: { "content-range": `0-99` }, body: bytes.subarray(0, 100) });
    expect(p1.status).toBe(202);
    expect(p1.headers.range).toBe("0-99");
    const bad = await v2().req("PATCH", path, { headers: { "content-range": `50-99` }, body: bytes.subarray(50, 100) });
    expect(bad.status).toBe(416);
    const digest = sha256(bytes);
    const end = await v2().req("PUT", `${path}?digest=${digest}`, { body: bytes.subarray(100) });
    expect(end.status).toBe(201);
    expect(end.headers["docker-content-digest"]).toBe(digest);
    const head = await v2().req("HEAD", `/v2/${repo}/blobs/${digest}`);
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBe(bytes.length);
    expect((await v2().req("GET", `/v2/${repo}/blobs/${digest}`)).body.equals(bytes)).toBe(true);
    expect((await v2().req("HEAD", `/v2/${repo}/blobs/${sha256("absent")}`)).status).toBe(404);
  });

  it("catalog: lower-cased owner/image; Link only when exactly n came back; n<=0 means 100", async () => {
    const { owner } = get();
    const prefix = `cat-${uid()}`;
    for (const i of [1, 2]) await v2().image(`${owner.login}/${prefix}-${i}`, "v1");
    const seen: string[] = [];
    let last = `${owner.login}/${prefix}`;
    for (;;) {
      const page = await v2().req("GET", `/v2/_catalog?n=1&last=${encodeURIComponent(last)}`);
      const repos = page.json<{ repositories: string[] }>().repositories;
      if (repos.length === 0) {
        expect(page.headers.link).toBeUndefined();
        break;
      }
      expect(page.headers.link).toBe(`</v2/_catalog?last=${encodeURIComponent(repos[0]!)}&n=1>; rel="next"`);
      last = repos[0]!;
      if (!last.startsWith(`${owner.login}/${prefix}`)) break;
      seen.push(last);
    }
    expect(seen).toEqual([`${owner.login}/${prefix}-1`, `${owner.login}/${prefix}-2`]);
    const zero = await v2().req("GET", `/v2/_catalog?n=0`);
    const all = zero.json<{ repositories: string[] }>().repositories;
    expect(all.length).toBeGreaterThan(0);
    expect(all.length).toBeLessThanOrEqual(100);
  });

  it("tags/list: tags only, ascending; Link on every non-empty page, even the last", async () => {
    const repo = `${get().owner.login}/tags-${uid()}`;
    const img = await v2().image(repo, "b");
    for (const t of ["c", "a"]) await v2().putManifest(repo, t, OCI_MANIFEST, img.bytes);
    await v2().putManifest(repo, img.digest, OCI_MANIFEST, img.bytes);
    expect((await v2().req("GET", `/v2/${repo}/tags/list`)).json()).toMatchObject({ tags: ["a", "b", "c"] });
    const p1 = await v2().req("GET", `/v2/${repo}/tags/list?n=2`);
    expect(p1.json()).toMatchObject({ tags: ["a", "b"] });
    expect(p1.headers.link).toBe(`</v2/${repo}/tags/list?last=b&n=2>; rel="next"`);
    const p2 = await v2().req("GET", `/v2/${repo}/tags/list?n=2&last=b`);
    expect(p2.json()).toMatchObject({ tags: ["c"] });
    expect(p2.headers.link).toBe(`</v2/${repo}/tags/list?last=c&n=2>; rel="next"`);
    const p3 = await v2().req("GET", `/v2/${repo}/tags/list?n=2&last=c`);
    expect(p3.json()).toMatchObject({ tags: [] });
    expect(p3.headers.link).toBeUndefined();
  });

  it("no referrers API: a 404 that is not OCI JSON", async () => {
    const repo = `${get().owner.login}/ref-${uid()}`;
    const img = await v2().image(repo, "v1");
    const res = await v2().req("GET", `/v2/${repo}/referrers/${img.digest}`);
    expect(res.status).toBe(404);
    // Forgejo v11 (and the fake) answer an empty body; Gitea 1.27 has no such route either and
    // answers with Go's http.NotFound text. Neither says MANIFEST_UNKNOWN: a client must not
    // read this 404 as "no referrers".
    expect(res.text).toBe(get().flavour === "gitea" ? "404 page not found\n" : "");
  });

  it('no write access on /v2: 401 Basic realm="Gitea Package API" in plain text', async () => {
    const { url, owner, other } = get();
    const intruder = new V2(url, other.login, other.token);
    const res = await intruder.req("POST", `/v2/${owner.login}/intrude-${uid()}/blobs/uploads`);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Basic realm="Gitea Package API"');
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    // A read-only PAT of the owner: read passes, write is refused the same way.
    const ro = new V2(url, owner.login, get().ownerReadOnlyToken);
    expect((await ro.req("GET", `/v2/`)).status).toBe(200);
    expect((await ro.req("POST", `/v2/${owner.login}/ro-${uid()}/blobs/uploads`)).status).toBe(401);
  });
}
