// Contract cases for the REST API: listing quirks, files, DELETE semantics, users and orgs.
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { listAll, OCI_MANIFEST, rest, sha256, V2, type PackageRow } from "./forgejo-raw.js";
import type { ContractTarget } from "./forgejo-target.js";

const uid = () => randomUUID().slice(0, 8);

export function restCases(get: () => ContractTarget): void {
  const v2 = () => new V2(get().url, get().owner.login, get().owner.token);
  const api = (token = get().owner.token) => rest(get().url, token);

  it("GET /api/v1/user answers the token's user", async () => {
    const res = await api().get("/api/v1/user");
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ login: get().owner.login, is_admin: false });
    expect((await rest(get().url).get("/api/v1/user")).status).toBe(401);
  });

  it("listing: limit 30 by default, capped at 50, 1-based pages, [] past the end, X-Total-Count, Link", async () => {
    const { owner } = get();
    const img = `page-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const base = await v2().image(repo, "t0");
    for (let i = 1; i < 61; i++) expect((await v2().putManifest(repo, `t${i}`, OCI_MANIFEST, base.bytes)).status).toBe(201);
    const list = (q: string) => api().get(`/api/v1/packages/${owner.login}?type=container&q=${img}${q}`);
    const dflt = await list("");
    expect(dflt.json<unknown[]>()).toHaveLength(30);
    expect(dflt.headers["x-total-count"]).toBe("61");
    expect(dflt.headers.link).toContain('rel="next"');
    expect(dflt.headers.link).toContain('rel="last"');
    const capped = await list("&limit=100");
    expect(capped.json<unknown[]>()).toHaveLength(50);
    const p2 = await list("&limit=50&page=2");
    expect(p2.json<unknown[]>()).toHaveLength(11);
    expect(p2.headers.link).not.toContain('rel="next"');
    const p3 = await list("&limit=50&page=3");
    expect(p3.status).toBe(200);
    expect(p3.json()).toEqual([]);
    expect(p3.headers["x-total-count"]).toBe("61");
    const zero = await list("&limit=50&page=0");
    expect(zero.json<PackageRow[]>().map((r) => r.id)).toEqual(capped.json<PackageRow[]>().map((r) => r.id));
  });

  it("listing order: created_at DESC, then id ASC (Gitea 1.27 and Forgejo v12+: id DESC)", async () => {
    const { url, owner } = get();
    const img = `order-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const base = await v2().image(repo, "o0");
    for (let i = 1; i < 8; i++) await v2().putManifest(repo, `o${i}`, OCI_MANIFEST, base.bytes);
    const rows = await listAll(url, owner.token, owner.login, img);
    expect(rows).toHaveLength(8);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      const [ta, tb] = [Date.parse(a.created_at), Date.parse(b.created_at)];
      expect(ta).toBeGreaterThanOrEqual(tb);
      // Ties are common (one-second resolution): Gitea's configureOrderBy in
      // models/packages/package_version.go breaks them by id DESC; Forgejo v11 by id ASC.
      if (ta === tb) expect(get().flavour === "gitea" ? b.id < a.id : a.id < b.id).toBe(true);
    }
  });

  it("q is a case-insensitive substring of the package name", async () => {
    const { url, owner } = get();
    const id = uid();
    await v2().image(`${owner.login}/q-${id}-alpha`, "v1");
    await v2().image(`${owner.login}/q-${id}-beta`, "v1");
    const rows = await listAll(url, owner.token, owner.login, `Q-${id.toUpperCase()}-AL`);
    expect(rows.map((r) => r.name)).toEqual([`q-${id}-alpha`]);
    expect((await listAll(url, owner.token, owner.login, `${id}-`)).map((r) => r.name).sort()).toEqual([`q-${id}-alpha`, `q-${id}-beta`]);
  });

  it("files: manifest.json's sha256 is the manifest digest; the size key is `Size` (Gitea 1.27: `size`)", async () => {
    const { owner } = get();
    const img = `files-${uid()}`;
    const pushed = await v2().image(`${owner.login}/${img}`, "v1");
    const res = await api().get(`/api/v1/packages/${owner.login}/container/${img}/v1/files`);
    expect(res.status).toBe(200);
    const files = res.json<Array<{ name: string; sha256: string } & Record<"Size" | "size", number | undefined>>>();
    const manifest = files.find((f) => f.name === "manifest.json")!;
    expect(`sha256:${manifest.sha256}`).toBe(pushed.digest);
    // Forgejo v11's api.PackageFile has no json tag on Size; Gitea 1.27's has `json:"size"`.
    const [key, absent] = get().flavour === "gitea" ? (["size", "Size"] as const) : (["Size", "size"] as const);
    expect(manifest[key]).toBe(pushed.size);
    expect(manifest[absent]).toBeUndefined();
    expect(files.length).toBe(3); // config, layer, manifest.json
  });

  it("GET one version: its row with id; a re-push of the same name is a new row; unknown 404", async () => {
    const { owner } = get();
    const img = `one-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const pushed = await v2().image(repo, "v1", { seed: "one" });
    const path = `/api/v1/packages/${owner.login}/container/${img}`;
    const first = await api().get(`${path}/v1`);
    expect(first.status).toBe(200);
    const row = first.json<PackageRow>();
    expect([row.name, row.version, row.type]).toEqual([img, "v1", "container"]);
    // Retention re-reads an untagged version right before deleting it and compares this id.
    expect((await v2().putManifest(repo, "v1", OCI_MANIFEST, pushed.bytes)).status).toBe(201);
    const again = (await api().get(`${path}/v1`)).json<PackageRow>();
    expect(again.id).toBeGreaterThan(row.id);
    const byDigest = await api().get(`${path}/${pushed.digest}`);
    expect(byDigest.status).toBe(404);
    expect((await api().get(`${path}/nope`)).status).toBe(404);
  });

  it("DELETE a version: 204, then 404; a name with / goes as %2F", async () => {
    const { url, owner } = get();
    const img = `team/app-${uid()}`;
    await v2().image(`${owner.login}/${img}`, "v1");
    await v2().image(`${owner.login}/${img}`, "v2");
    const path = `/api/v1/packages/${owner.login}/container/${encodeURIComponent(img)}/v1`;
    expect(path).toContain("%2F");
    expect((await api().del(path)).status).toBe(204);
    expect((await api().del(path)).status).toBe(404);
    expect((await listAll(url, owner.token, owner.login, img)).map((r) => [r.name, r.version])).toEqual([[img, "v2"]]);
    expect((await v2().req("HEAD", `/v2/${owner.login}/${img}/manifests/v2`)).status).toBe(200);
  });

  it("DELETE without a token 401, another user's token 403, a read-only token 403 (even for an unknown version), unknown 404 first", async () => {
    const { owner, other, ownerReadOnlyToken } = get();
    const img = `perm-${uid()}`;
    await v2().image(`${owner.login}/${img}`, "v1");
    const path = `/api/v1/packages/${owner.login}/container/${img}/v1`;
    expect((await rest(get().url).del(path)).status).toBe(401);
    expect((await api(other.token).del(path)).status).toBe(403);
    expect((await api(ownerReadOnlyToken).del(path)).status).toBe(403);
    expect((await api(other.token).del(`/api/v1/packages/${owner.login}/container/${img}/nope`)).status).toBe(404);
    // The token's scope is checked before the version is looked up: a version that cannot exist
    // tells a read-only token (403) from one with write:package (404), without deleting anything.
    const nowhere = `/api/v1/packages/${owner.login}/container/never-${uid()}/v1`;
    expect((await api(ownerReadOnlyToken).del(nowhere)).status).toBe(403);
    expect((await api().del(nowhere)).status).toBe(404);
    expect((await api(ownerReadOnlyToken).get(`/api/v1/packages/${owner.login}?type=container&q=${img}`)).status).toBe(200);
    expect((await api().get(path)).status).toBe(200);
  });

  it("org: an Owners-team member pushes and deletes, others get 401 on /v2 and 403 on REST; membership 204/404", async () => {
    const { url, owner, other, org } = get();
    const img = `org-${uid()}`;
    const pushed = await v2().image(`${org}/${img}`, "v1");
    expect(pushed.digest).toBe(sha256(pushed.bytes));
    const intruder = new V2(url, other.login, other.token);
    expect((await intruder.req("POST", `/v2/${org}/${img}/blobs/uploads`)).status).toBe(401);
    const path = `/api/v1/packages/${org}/container/${img}/v1`;
    expect((await api(other.token).del(path)).status).toBe(403);
    expect((await api().get(`/api/v1/orgs/${org}/members/${owner.login}`)).status).toBe(204);
    expect((await api().get(`/api/v1/orgs/${org}/members/${other.login}`)).status).toBe(404);
    expect((await api(other.token).get(`/api/v1/orgs/${org}/members/${other.login}`)).status).toBe(404);
    expect((await api().get(`/api/v1/orgs/${org}`)).status).toBe(200);
    expect((await api().get(`/api/v1/orgs/${owner.login}`)).status).toBe(404);
    expect((await api().get(`/api/v1/users/${other.login}`)).json()).toMatchObject({ login: other.login });
    expect((await api().del(path)).status).toBe(204);
  });
}
