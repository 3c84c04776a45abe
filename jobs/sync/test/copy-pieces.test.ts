// What a copy does piece by piece, counted at both registries: each blob goes up once per
// repository (mounted into the next one, skipped where the target has it), children the target
// serves are not pushed again, the source is asked once per tag, and every doubt about a piece
// (a target that answers a HEAD with an error or the wrong size, a source that cannot serve a
// blob, an index whose child is not the size it says) fails that tag without leaving it on the
// target. Two registry:2, a counting proxy in front of each (faults on cue through its rules).
// The mutation run of image-copy.ts and tag-sync.ts found these untested (docs/contributing.md).
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@regguard/oci-client";
import { pushIndex, startCountingProxy, startRegistry, type StartedCountingProxy, type StartedRegistry } from "@regguard/testkit";
import { runSync, summary, tagLines } from "./run-sync.js";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const sha = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}` as const;

describe("a copy, piece by piece", () => {
  let src: StartedRegistry;
  let dst: StartedRegistry;
  let srcProxy: StartedCountingProxy;
  let dstProxy: StartedCountingProxy;
  /** The layer every image below shares. */
  const shared = randomBytes(3000);

  const env = (extra: Record<string, string> = {}) => ({
    SOURCE_URL: srcProxy.url,
    TARGET_URL: dstProxy.url,
    TARGET_PREFIX: "viktor/",
    DRY_RUN: "false",
    CONCURRENCY: "1",
    ...extra,
  });
  /** A run with both proxies' request logs emptied first, so they hold this run's requests only. */
  function sync(command: string, extra: Record<string, string> = {}) {
    srcProxy.requests.length = 0;
    dstProxy.requests.length = 0;
    return runSync(command, env(extra));
  }
  const at = (proxy: StartedCountingProxy, method: string, includes: string) => proxy.requests.filter((q) => q.method === method && q.path.includes(includes));

  /** An image of `layers` (blobs pushed if absent) and a config of its own; returns its digest and blobs. */
  async function pushImageOf(repo: string, tag: string, layers: Uint8Array[]) {
    const c = new RegistryClient({ url: src.url });
    try {
      const config = Buffer.from(
        JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { ref: `${repo}:${tag}` } }, rootfs: { type: "layers", diff_ids: [] } }),
      );
      const blobs = [config, ...layers];
      for (const b of blobs) await c.pushBlob(repo, b);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha(config), size: config.length },
          layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha(l), size: l.length })),
        }),
      );
      const digest = await c.putManifest(repo, tag, manifest, OCI_MANIFEST);
      return { digest, config, bytes: blobs.reduce((n, b) => n + b.length, 0) };
    } finally {
      await c.close();
    }
  }

  /** What the target serves for a tag: its digest, or undefined. */
  async function targetDigest(repo: string, tag: string): Promise<string | undefined> {
    const res = await fetch(`${dst.url}/v2/${repo}/manifests/${tag}`, { method: "HEAD", headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX}` } });
    return res.status === 200 ? (res.headers.get("docker-content-digest") ?? undefined) : undefined;
  }

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    [srcProxy, dstProxy] = await Promise.all([startCountingProxy(src.url), startCountingProxy(dst.url)]);
  });
  afterAll(async () => {
    await Promise.all([srcProxy?.stop(), dstProxy?.stop(), src?.stop(), dst?.stop()]);
  });

  it("each blob goes up once per repository, is mounted into the next, and is skipped where the target has it", async () => {
    const one1 = await pushImageOf("one", "1", [shared]);
    const one2 = await pushImageOf("one", "2", [shared]);
    const two1 = await pushImageOf("two", "1", [shared]);
    const r = await sync("copy", { REPOSITORIES: "one|two" });
    expect(r.code).toBe(0);
    expect(tagLines(r).sort()).toEqual(["viktor/one:1 missing copied", "viktor/one:2 missing copied", "viktor/two:1 missing copied"]);
    // The shared layer: asked for once in viktor/one (the second tag waits for the first's upload),
    // uploaded once, and mounted into viktor/two from there rather than sent again.
    expect(at(dstProxy, "HEAD", `viktor/one/blobs/${sha(shared)}`)).toHaveLength(1);
    expect(
      at(dstProxy, "POST", `/v2/viktor/two/blobs/uploads/?mount=${encodeURIComponent(sha(shared))}&from=${encodeURIComponent("viktor/one")}`),
    ).toHaveLength(1);
    expect(at(dstProxy, "PUT", "/blobs/uploads/")).toHaveLength(4);
    const bytes = shared.length + one1.config.length + one2.config.length + two1.config.length;
    expect(summary(r)).toMatchObject({ blobsUploaded: 4, blobsMounted: 1, bytesUploaded: bytes, manifestsPushed: 3 });
    // The source: one GET by tag per copied tag (its digest and bytes at once), no HEAD.
    expect(at(srcProxy, "GET", "/manifests/")).toHaveLength(3);
    expect(at(srcProxy, "HEAD", "/manifests/")).toEqual([]);
    for (const [repo, tag, digest] of [
      ["one", "1", one1.digest],
      ["one", "2", one2.digest],
      ["two", "1", two1.digest],
    ] as const) {
      expect(await targetDigest(`viktor/${repo}`, tag)).toBe(digest);
    }

    // A new tag over a layer the target has: only its config goes up.
    const one3 = await pushImageOf("one", "3", [shared]);
    const next = await sync("copy", { REPOSITORIES: "one" });
    expect(tagLines(next).sort()).toEqual(["viktor/one:1 in_parity none", "viktor/one:2 in_parity none", "viktor/one:3 missing copied"]);
    expect(summary(next)).toMatchObject({ blobsUploaded: 1, blobsMounted: 0, bytesUploaded: one3.config.length, manifestsPushed: 1 });
    expect(at(dstProxy, "PUT", "/blobs/uploads/")).toHaveLength(1);
    // Tags in parity cost a HEAD on each side and nothing else.
    expect(
      at(srcProxy, "HEAD", "/manifests/")
        .map((q) => q.path)
        .sort(),
    ).toEqual(["/v2/one/manifests/1", "/v2/one/manifests/2"]);
    expect(at(srcProxy, "GET", "/manifests/").map((q) => q.path)).toEqual(["/v2/one/manifests/3"]);
  });

  it("a drifted tag's line names both digests; the target keeps its own", async () => {
    const theirs = await pushImageOf("drift", "1", [randomBytes(100)]);
    await sync("copy", { REPOSITORIES: "drift" });
    const ours = await pushImageOf("drift", "1", [randomBytes(100)]);
    const r = await sync("copy", { REPOSITORIES: "drift" });
    expect(r.code).toBe(1);
    expect(r.lines.find((l) => l.tag === "1")).toMatchObject({
      state: "drifted",
      action: "drift_kept",
      sourceDigest: ours.digest,
      targetDigest: theirs.digest,
    });
    expect(await targetDigest("viktor/drift", "1")).toBe(theirs.digest);
  });

  it("a blob the target holds at another size fails the tag, which is not put on the target", async () => {
    await pushImageOf("sized", "1", [shared]);
    dstProxy.rules.failNext({ method: "HEAD", pathIncludes: `viktor/sized/blobs/${sha(shared)}` }, { status: 200, headers: { "Content-Length": "1" } });
    const r = await sync("copy", { REPOSITORIES: "sized" });
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/sized:1 missing failed"]);
    expect(String(r.lines.find((l) => l.tag === "1")?.detail)).toBe(
      `blob viktor/sized@${sha(shared)} on the target is 1 bytes; the manifest says ${shared.length}`,
    );
    expect(at(dstProxy, "PUT", "/manifests/")).toEqual([]);
    expect(await targetDigest("viktor/sized", "1")).toBeUndefined();
  });

  it("a blob HEAD the target refuses (not a 404) fails the tag: nothing is uploaded on a guess", async () => {
    const layer = randomBytes(200);
    await pushImageOf("refused", "1", [layer]);
    dstProxy.rules.failNext({ method: "HEAD", pathIncludes: `blobs/${sha(layer)}` }, { status: 403, body: '{"errors":[{"code":"DENIED","message":"no"}]}' });
    const r = await sync("copy", { REPOSITORIES: "refused" });
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/refused:1 missing failed"]);
    expect(String(r.lines.find((l) => l.tag === "1")?.detail)).toContain("403");
    expect(at(dstProxy, "POST", sha(layer))).toEqual([]);
    expect(at(dstProxy, "PUT", "/manifests/")).toEqual([]);
    expect(await targetDigest("viktor/refused", "1")).toBeUndefined();
  });

  it("a blob the source cannot serve fails the tag with the source's answer, and the target gets no tag", async () => {
    const layer = randomBytes(5000);
    await pushImageOf("lost", "1", [layer]);
    await src.deleteBlobData(sha(layer));
    const r = await sync("copy", { REPOSITORIES: "lost", REQUEST_TIMEOUT_MS: "20000" });
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/lost:1 missing failed"]);
    // The source's own answer ends the upload at once (a stream left open would end in a timeout),
    // is what the line says (not the upload's URL), and is not asked again: a 404 is an answer.
    expect(r.lines.find((l) => l.tag === "1")?.detail).toBe(`blob lost@${sha(layer)} not found: HTTP 404 (BLOB_UNKNOWN)`);
    expect(at(srcProxy, "GET", `/blobs/${sha(layer)}`)).toHaveLength(1);
    expect(at(dstProxy, "PUT", "/manifests/")).toEqual([]);
    expect(await targetDigest("viktor/lost", "1")).toBeUndefined();
  });

  it("children the target serves are not pushed again: a second index over them is one PUT by its tag", async () => {
    const first = await pushIndex({ url: src.url }, "multi", "1", { seed: "pieces-multi" });
    const dry = await sync("copy", { REPOSITORIES: "multi", DRY_RUN: "true" });
    const blobs = first.children.reduce((n, c) => n + 1 + c.layers.length, 0);
    expect(dry.lines.find((l) => l.tag === "1")).toMatchObject({ action: "would_copy", manifestsMissing: first.children.length + 1, blobsMissing: blobs });
    const copied = await sync("copy", { REPOSITORIES: "multi" });
    expect(copied.code).toBe(0);
    expect(summary(copied)).toMatchObject({ manifestsPushed: first.children.length + 1, blobsUploaded: blobs });
    const again = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: first.children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.manifest.length, platform: c.platform })),
        annotations: { "org.opencontainers.image.version": "2" },
      }),
    );
    const c = new RegistryClient({ url: src.url });
    await c.putManifest("multi", "2", again, OCI_INDEX).finally(() => c.close());
    const r = await sync("copy", { REPOSITORIES: "multi" });
    expect(tagLines(r).sort()).toEqual(["viktor/multi:1 in_parity none", "viktor/multi:2 missing copied"]);
    expect(dstProxy.requests.filter((q) => q.method === "PUT" || q.method === "POST").map((q) => `${q.method} ${q.path}`)).toEqual([
      "PUT /v2/viktor/multi/manifests/2",
    ]);
    expect(at(dstProxy, "HEAD", "/manifests/sha256:")).toHaveLength(first.children.length);
    expect(summary(r)).toMatchObject({ manifestsPushed: 1, blobsUploaded: 0 });
  });

  it("a child HEAD the target refuses (not a 404) fails the tag: neither the child nor the tag is pushed", async () => {
    const built = await pushIndex({ url: src.url }, "childhead", "1", { seed: "pieces-childhead" });
    const child = built.children[0]?.digest as string;
    dstProxy.rules.failNext(
      { method: "HEAD", pathIncludes: `viktor/childhead/manifests/${child}` },
      { status: 403, body: '{"errors":[{"code":"DENIED","message":"no"}]}' },
    );
    const r = await sync("copy", { REPOSITORIES: "childhead" });
    expect(tagLines(r)).toEqual(["viktor/childhead:1 missing failed"]);
    expect(at(dstProxy, "PUT", `manifests/${child}`)).toEqual([]);
    expect(at(dstProxy, "PUT", "manifests/1")).toEqual([]);
    expect(await targetDigest("viktor/childhead", "1")).toBeUndefined();
  });

  it("an index whose child is not the size the index says fails the tag before anything of it is pushed", async () => {
    const image = await pushImageOf("liar", "child", [randomBytes(100)]);
    const c = new RegistryClient({ url: src.url });
    const child = await c.manifest("liar", image.digest);
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: child.raw.length + 1 }] }),
    );
    await c.putManifest("liar", "1", index, OCI_INDEX).finally(() => c.close());
    const r = await sync("copy", { REPOSITORIES: "liar", TAGS: "1" });
    expect(tagLines(r)).toEqual(["viktor/liar:1 missing failed"]);
    expect(String(r.lines.find((l) => l.tag === "1")?.detail)).toBe(
      `manifest liar@${child.digest}: the index says ${child.raw.length + 1} bytes, the source serves ${child.raw.length}`,
    );
    expect(dstProxy.requests.filter((q) => q.method === "PUT" || q.method === "POST")).toEqual([]);
  });

  it("a tag the source lists but does not serve fails with that said, and nothing is written", async () => {
    await pushImageOf("ghost", "1", [randomBytes(100)]);
    const unknown = { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };
    srcProxy.rules.failNext({ method: "GET", pathIncludes: "/v2/ghost/manifests/1" }, unknown);
    srcProxy.rules.failNext({ method: "HEAD", pathIncludes: "/v2/ghost/manifests/1" }, unknown);
    const r = await sync("copy", { REPOSITORIES: "ghost" });
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/ghost:1 undefined failed"]);
    expect(r.lines.find((l) => l.tag === "1")?.detail).toBe("the source lists ghost:1 but does not serve it");
    expect(dstProxy.requests.filter((q) => q.method === "PUT" || q.method === "POST")).toEqual([]);
  });

  it("a piece that failed for one tag is tried again by the next tag that needs it, in the same run", async () => {
    const layer = randomBytes(400);
    await pushImageOf("retry", "1", [layer]);
    await pushImageOf("retry", "2", [layer]);
    // Every try of the layer's first upload (the first and its 3 retries) fails; the next one passes.
    dstProxy.rules.failNext({ method: "PUT", pathIncludes: `digest=${encodeURIComponent(sha(layer))}` }, { status: 500, body: "disk hiccup" }, 4);
    const r = await sync("copy", { REPOSITORIES: "retry" });
    // Whichever tag came first failed with the layer; the other sent it again and was copied.
    const actions = r.lines.filter((l) => l.target === "viktor/retry").map((l) => `${String(l.state)} ${String(l.action)}`);
    expect(actions.sort()).toEqual(["missing copied", "missing failed"]);
    const failedTag = String(r.lines.find((l) => l.action === "failed")?.tag);
    expect(await targetDigest("viktor/retry", failedTag)).toBeUndefined();
    expect((await sync("copy", { REPOSITORIES: "retry" })).code).toBe(0);
  });

  it("a source that refuses a tag's manifest (403, not a 404) fails the tag with that answer; nothing is written", async () => {
    await pushImageOf("closed", "1", [randomBytes(100)]);
    srcProxy.rules.failNext({ method: "GET", pathIncludes: "/v2/closed/manifests/1" }, { status: 403, body: '{"errors":[{"code":"DENIED","message":"no"}]}' });
    const r = await sync("copy", { REPOSITORIES: "closed" });
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/closed:1 undefined failed"]);
    expect(String(r.lines.find((l) => l.tag === "1")?.detail)).toContain("403");
    expect(dstProxy.requests.filter((q) => q.method === "PUT" || q.method === "POST")).toEqual([]);
  });

  it("a target that refuses the HEAD of a drifted tag (403) is not read as 'missing': the tag is not overwritten", async () => {
    const theirs = await pushImageOf("guarded", "1", [randomBytes(100)]);
    await sync("copy", { REPOSITORIES: "guarded" });
    await pushImageOf("guarded", "1", [randomBytes(100)]);
    dstProxy.rules.failNext(
      { method: "HEAD", pathIncludes: "/v2/viktor/guarded/manifests/1" },
      { status: 403, body: '{"errors":[{"code":"DENIED","message":"no"}]}' },
    );
    const r = await sync("copy", { REPOSITORIES: "guarded" });
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/guarded:1 undefined failed"]);
    expect(dstProxy.requests.filter((q) => q.method === "PUT" || q.method === "POST")).toEqual([]);
    expect(await targetDigest("viktor/guarded", "1")).toBe(theirs.digest);
  });

  it("check counts the bytes a missing tag would move, all of them, and writes nothing", async () => {
    const image = await pushImageOf("planned", "1", [randomBytes(700), randomBytes(300)]);
    const r = await sync("check", { REPOSITORIES: "planned" });
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/planned:1 missing none"]);
    expect(summary(r)).toMatchObject({ bytesMissing: image.bytes });
    expect(dstProxy.requests.filter((q) => q.method !== "HEAD" && q.method !== "GET")).toEqual([]);
  });
});
