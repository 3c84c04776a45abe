// Contract cases for the index -> child graph: what an index push needs, and how deletes leave
// an index dangling (docs/design.md, R1: the retention incident that orphaned kms-website:latest).
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { listAll, OCI_INDEX, OCI_MANIFEST, rest, V2 } from "./forgejo-raw.js";
import type { ContractTarget } from "./forgejo-target.js";

const uid = () => randomUUID().slice(0, 8);

export function graphCases(get: () => ContractTarget): void {
  const v2 = () => new V2(get().url, get().owner.login, get().owner.token);
  const api = () => rest(get().url, get().owner.token);

  it("a multi-arch push: one tagged index version plus one sha256: version per child", async () => {
    const { url, owner } = get();
    const img = `multi-${uid()}`;
    const { index, children } = await v2().multiArch(`${owner.login}/${img}`, "latest");
    const versions = (await listAll(url, owner.token, owner.login, img)).map((r) => r.version).sort();
    expect(versions).toEqual(["latest", ...children.map((c) => c.digest)].sort());
    const got = await v2().req("GET", `/v2/${owner.login}/${img}/manifests/latest`);
    expect(got.headers["content-type"]).toBe(OCI_INDEX);
    expect(got.headers["docker-content-digest"]).toBe(index.digest);
  });

  it("an index push needs its children in the same image: 404 MANIFEST_BLOB_UNKNOWN", async () => {
    const { owner } = get();
    const child = await v2().image(`${owner.login}/elsewhere-${uid()}`);
    const res = await v2().putManifest(`${owner.login}/idx-${uid()}`, "v1", OCI_INDEX, v2().indexBytes([child]));
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ errors: [{ code: "MANIFEST_BLOB_UNKNOWN" }] });
  });

  it("a nested index is refused: 400 MANIFEST_INVALID", async () => {
    const repo = `${get().owner.login}/nest-${uid()}`;
    const { index } = await v2().multiArch(repo, "inner");
    const outer = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_INDEX, digest: index.digest, size: index.size }] }),
    );
    const res = await v2().putManifest(repo, "outer", OCI_INDEX, outer);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ code: "MANIFEST_INVALID" }] });
  });

  it("a manifest over 10 MiB is refused with MANIFEST_INVALID", async () => {
    const repo = `${get().owner.login}/big-${uid()}`;
    const body = Buffer.alloc(10 * 1024 * 1024 + 16, 0x20);
    const res = await v2().putManifest(repo, "v1", OCI_MANIFEST, body);
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ errors: [{ code: "MANIFEST_INVALID" }] });
  });

  it("deleting a child sha256: version via REST leaves the index dangling", async () => {
    const { owner } = get();
    const img = `dangle-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const { children } = await v2().multiArch(repo, "latest");
    const victim = children[0]!;
    expect((await api().del(`/api/v1/packages/${owner.login}/container/${img}/${victim.digest}`)).status).toBe(204);
    expect((await v2().req("GET", `/v2/${repo}/manifests/latest`)).status).toBe(200);
    const child = await v2().req("GET", `/v2/${repo}/manifests/${victim.digest}`);
    expect(child.status).toBe(404);
    expect(child.json()).toMatchObject({ errors: [{ code: "MANIFEST_UNKNOWN" }] });
    expect((await v2().req("HEAD", `/v2/${repo}/manifests/${children[1]!.digest}`)).status).toBe(200);
  });

  it("a child digest also held by a tag stays servable after its sha256: version goes", async () => {
    const { owner } = get();
    const img = `held-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const { children } = await v2().multiArch(repo, "latest");
    const kept = children[0]!;
    expect((await v2().putManifest(repo, "amd64", kept.mediaType, kept.bytes)).status).toBe(201);
    expect((await api().del(`/api/v1/packages/${owner.login}/container/${img}/${kept.digest}`)).status).toBe(204);
    expect((await v2().req("HEAD", `/v2/${repo}/manifests/${kept.digest}`)).status).toBe(200);
  });

  it("DELETE /v2 manifests: a tag removes that version; a digest removes every version holding it", async () => {
    const { url, owner } = get();
    const img = `v2del-${uid()}`;
    const repo = `${owner.login}/${img}`;
    const a = await v2().image(repo, "a");
    await v2().putManifest(repo, "b", OCI_MANIFEST, a.bytes);
    const other = await v2().image(repo, "c");
    expect((await v2().req("DELETE", `/v2/${repo}/manifests/a`)).status).toBe(202);
    expect((await listAll(url, owner.token, owner.login, img)).map((r) => r.version).sort()).toEqual(["b", "c"]);
    await v2().putManifest(repo, "a", OCI_MANIFEST, a.bytes);
    expect((await v2().req("DELETE", `/v2/${repo}/manifests/${a.digest}`)).status).toBe(202);
    expect((await listAll(url, owner.token, owner.login, img)).map((r) => r.version)).toEqual(["c"]);
    expect((await v2().req("HEAD", `/v2/${repo}/manifests/${other.digest}`)).status).toBe(200);
    expect((await v2().req("DELETE", `/v2/${repo}/manifests/${a.digest}`)).status).toBe(404);
  });
}
