// The sync job between two real registry:2 with htpasswd (the target behind a counting proxy, so
// writes and requests are counted where they arrive), and into the Forgejo fake under viktor/.
// Every assertion is about what the target then serves.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodeFor, memoryLogger } from "@regguard/job-runtime";
import { RegistryClient, walkImage, type Finding } from "@regguard/oci-client";
import {
  pushImage,
  pushIndex,
  replayTargets,
  startCountingProxy,
  startPushgateway,
  startRegistry,
  startScriptedServer,
  type ReplayServer,
  type StartedScriptedServer,
  type StartedCountingProxy,
  type StartedPushgateway,
  type StartedRegistry,
} from "@regguard/testkit";
import { run } from "../src/index.js";
import { runSync, summary, tagLines, WRITES } from "./run-sync.js";

const sync = runSync;

/** What the target serves for a tag: its digest, and the probe's findings for a walk with blobs. */
async function served(
  url: string,
  repo: string,
  tag: string,
  auth: { username: string; password: string },
): Promise<{ digest: string | undefined; findings: Finding[] }> {
  const c = new RegistryClient({ url, ...auth });
  try {
    const head = await c.headManifest(repo, tag).catch(() => undefined);
    const findings: Finding[] = [];
    for await (const e of walkImage(c, repo, tag, { checkBlobs: true })) if (e.type === "finding") findings.push(e.finding);
    return { digest: head?.digest, findings };
  } finally {
    await c.close();
  }
}

describe("sync between two registry:2", () => {
  let src: StartedRegistry;
  let dst: StartedRegistry;
  let proxy: StartedCountingProxy;
  let pg: StartedPushgateway;
  const digests: Record<string, string> = {};
  const secrets = () => [src.password as string, dst.password as string];
  const env = (extra: Record<string, string> = {}) => ({
    SOURCE_URL: src.url,
    SOURCE_USERNAME: src.username as string,
    SOURCE_PASSWORD: src.password as string,
    TARGET_URL: proxy.url,
    TARGET_USERNAME: dst.username as string,
    TARGET_PASSWORD: dst.password as string,
    TARGET_PREFIX: "viktor/",
    ...extra,
  });
  const targetAuth = () => ({ username: dst.username as string, password: dst.password as string });

  beforeAll(async () => {
    [src, dst, pg] = await Promise.all([
      startRegistry({ auth: "htpasswd", password: "source-pass-123" }),
      startRegistry({ auth: "htpasswd", password: "target-pass-456" }),
      startPushgateway(),
    ]);
    proxy = await startCountingProxy(dst.url);
    const t = { url: src.url, username: src.username as string, password: src.password as string };
    const app = await pushImage(t, "app", "v1", { layers: 2, seed: "app-v1" });
    digests["app:v1"] = app.digest;
    digests["app:v2"] = (await pushImage(t, "app", "v2", { layers: 2, seed: "app-v2" })).digest;
    digests["multi:latest"] = (await pushIndex(t, "multi", "latest", { attestations: true, seed: "multi" })).digest;
    digests["list:1.0"] = (await pushIndex(t, "list", "1.0", { format: "docker", seed: "list" })).digest;
    digests["bare:1"] = (await pushIndex(t, "bare", "1", { omitMediaType: true, seed: "bare" })).digest;
    // A nested index: an index whose child is itself an index of two images.
    const a = await pushImage(t, "nested", undefined, { seed: "nested-a", platform: { os: "linux", architecture: "amd64" } });
    const b = await pushImage(t, "nested", undefined, { seed: "nested-b", platform: { os: "linux", architecture: "arm64" } });
    const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    const writer = new RegistryClient({ url: src.url, username: t.username, password: t.password });
    const inner = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [a, b].map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.manifest.length })),
      }),
    );
    const innerDigest = await writer.putManifest("nested", `sha256:${createHash("sha256").update(inner).digest("hex")}`, inner, OCI_INDEX);
    const outer = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_INDEX, digest: innerDigest, size: inner.length }] }),
    );
    digests["nested:2"] = await writer.putManifest("nested", "2", outer, OCI_INDEX);
    await writer.close();
    // A cosign-style signature tag of app:v1, outside TAGS below: it must come along.
    const sigTag = `${app.digest.replace(":", "-")}.sig`;
    digests[`app:${sigTag}`] = (await pushImage(t, "app", sigTag, { layers: 1, seed: "app-v1-sig" })).digest;
  });
  afterAll(async () => {
    await Promise.all([proxy?.stop(), src?.stop(), dst?.stop(), pg?.stop()]);
  });

  it("a dry run plans every tag and sends the target nothing but reads", async () => {
    proxy.requests.length = 0;
    const r = await sync("copy", env());
    expect(r.code).toBe(0);
    expect(proxy.requests.filter((q) => WRITES.has(q.method))).toEqual([]);
    expect(tagLines(r).filter((l) => l.endsWith("missing would_copy"))).toHaveLength(Object.keys(digests).length);
    expect(Number(summary(r).bytesMissing)).toBeGreaterThan(0);
    expect(summary(r).msg).toContain("(dry run)");
  });

  it("copy moves every image digest for digest, attestations, Docker lists, an index without mediaType, a nested index and a cosign tag included", async () => {
    const r = await sync("copy", env({ DRY_RUN: "false", TAGS: "v1|v2|latest|1\\.0|1|2" }));
    expect(r.code, JSON.stringify(r.lines.filter((l) => l.level === "error"))).toBe(0);
    for (const [ref, digest] of Object.entries(digests)) {
      const [repo, tag] = ref.split(":") as [string, string];
      const got = await served(dst.url, `viktor/${repo}`, tag, targetAuth());
      expect({ ref, digest: got.digest, findings: got.findings }).toEqual({ ref, digest, findings: [] });
    }
    // The second app tag shares nothing but was pushed after the first: blobs mounted or uploaded, never twice.
    expect(Number(summary(r).blobsUploaded) + Number(summary(r).blobsMounted)).toBeGreaterThan(0);
    for (const line of r.lines) for (const secret of secrets()) expect(JSON.stringify(line)).not.toContain(secret);
  });

  it("a second run with nothing new costs one HEAD per tag at the target and writes nothing", async () => {
    proxy.requests.length = 0;
    const r = await sync("copy", env({ DRY_RUN: "false" }));
    expect(r.code).toBe(0);
    expect(tagLines(r).every((l) => l.endsWith("in_parity none"))).toBe(true);
    const manifestHeads = proxy.requests.filter((q) => q.method === "HEAD" && q.path.includes("/manifests/"));
    expect(manifestHeads).toHaveLength(Object.keys(digests).length);
    expect(proxy.requests.filter((q) => q.method !== "HEAD" && q.path !== "/v2/")).toEqual([]);
  });

  it("a drifted tag is reported and kept; OVERWRITE=true replaces it with the source's digest", async () => {
    const other = await pushImage({ url: dst.url, ...targetAuth() }, "viktor/app", "v2", { layers: 1, seed: "someone-else" });
    const kept = await sync("copy", env({ DRY_RUN: "false", REPOSITORIES: "app", TAGS: "v2" }));
    expect(kept.code).toBe(1);
    expect(tagLines(kept)).toEqual(["viktor/app:v2 drifted drift_kept"]);
    expect((await served(dst.url, "viktor/app", "v2", targetAuth())).digest).toBe(other.digest);
    const replaced = await sync("copy", env({ DRY_RUN: "false", REPOSITORIES: "app", TAGS: "v2", OVERWRITE: "true" }));
    expect(replaced.code).toBe(0);
    expect(tagLines(replaced)).toEqual(["viktor/app:v2 drifted overwritten"]);
    expect((await served(dst.url, "viktor/app", "v2", targetAuth())).digest).toBe(digests["app:v2"]);
  });

  it("check finds a distribution#3324 break made for real and pushes the gauges; repair puts the child back", async () => {
    const multi = new RegistryClient({ url: dst.url, ...targetAuth() });
    const index = await multi.manifest("viktor/multi", "latest");
    await multi.close();
    const child = index.kind === "index" ? index.manifests[0]?.digest : undefined;
    if (!child) throw new Error("multi:latest has no children");
    await dst.corruptRevisionLink("viktor/multi", child);
    const checked = await sync("check", env({ PUSHGATEWAY_URL: pg.url, INSTANCE: "target-under-test" }));
    expect(checked.code).toBe(1);
    expect(tagLines(checked)).toContain("viktor/multi:latest broken none");
    const series = (await pg.series()).filter((s) => s.labels.instance === "target-under-test" && s.name === "registry_sync_tags");
    expect(Object.fromEntries(series.map((s) => [s.labels.state, s.value]))).toEqual({
      in_parity: Object.keys(digests).length - 1,
      missing: 0,
      drifted: 0,
      broken: 1,
    });

    const dry = await sync("repair", env());
    expect([dry.code, tagLines(dry).filter((l) => !l.includes("in_parity"))]).toEqual([1, ["viktor/multi:latest broken would_repair"]]);
    const repaired = await sync("repair", env({ DRY_RUN: "false" }));
    expect(tagLines(repaired).filter((l) => !l.includes("in_parity"))).toEqual(["viktor/multi:latest broken repaired"]);
    expect(repaired.code).toBe(0);
    expect((await served(dst.url, "viktor/multi", "latest", targetAuth())).findings).toEqual([]);
    expect((await sync("check", env())).code).toBe(0);
  });

  it("repairs registry:2 from the other side: SOURCE_PREFIX=viktor/ maps viktor/multi back to multi", async () => {
    const c = new RegistryClient({ url: src.url, username: src.username as string, password: src.password as string });
    const index = await c.manifest("multi", "latest");
    await c.close();
    const child = index.kind === "index" ? index.manifests[1]?.digest : undefined;
    if (!child) throw new Error("multi:latest has too few children");
    await src.corruptRevisionLink("multi", child);
    const reverse = {
      SOURCE_URL: dst.url,
      SOURCE_USERNAME: dst.username as string,
      SOURCE_PASSWORD: dst.password as string,
      SOURCE_PREFIX: "viktor/",
      TARGET_URL: src.url,
      TARGET_USERNAME: src.username as string,
      TARGET_PASSWORD: src.password as string,
      REPOSITORIES: "viktor/multi",
    };
    const before = await sync("check", reverse);
    expect([before.code, tagLines(before)]).toEqual([1, ["multi:latest broken none"]]);
    const repaired = await sync("repair", { ...reverse, DRY_RUN: "false" });
    expect([repaired.code, tagLines(repaired)]).toEqual([0, ["multi:latest broken repaired"]]);
    expect((await served(src.url, "multi", "latest", { username: src.username as string, password: src.password as string })).findings).toEqual([]);
  });

  it("a copy into an empty repository: blobs first, then one PUT by tag for the manifest (no HEAD or PUT by digest)", async () => {
    const image = await pushImage({ url: src.url, username: src.username as string, password: src.password as string }, "solo", "1", {
      layers: 2,
      seed: "solo-1",
    });
    proxy.requests.length = 0;
    const r = await sync("copy", env({ DRY_RUN: "false", REPOSITORIES: "solo" }));
    expect(r.code).toBe(0);
    const shape = (q: { method: string; path: string }) =>
      `${q.method} ${q.path.replace(/\/blobs\/uploads\/[^?]*\?.*/, "/blobs/uploads/<session>").replace(/sha256:[0-9a-f]{64}/, "<digest>")}`;
    const seen = proxy.requests.filter((q) => q.path !== "/v2/").map(shape);
    const blob = ["HEAD /v2/viktor/solo/blobs/<digest>", "POST /v2/viktor/solo/blobs/uploads/", "PUT /v2/viktor/solo/blobs/uploads/<session>"];
    expect([...seen].sort()).toEqual(["HEAD /v2/viktor/solo/manifests/1", ...blob, ...blob, ...blob, "PUT /v2/viktor/solo/manifests/1"].sort());
    expect(seen.at(-1)).toBe("PUT /v2/viktor/solo/manifests/1");
    expect((await served(dst.url, "viktor/solo", "1", targetAuth())).digest).toBe(image.digest);
  });

  it("a stopped run starts no push and exits 130", async () => {
    const controller = new AbortController();
    controller.abort(new Error("SIGTERM"));
    proxy.requests.length = 0;
    const r = await sync("copy", env({ DRY_RUN: "false", TARGET_PREFIX: "stopped/" }), controller.signal);
    expect(r.code).toBe(130);
    expect(proxy.requests.filter((q) => WRITES.has(q.method))).toEqual([]);
  });
});

describe.each(replayTargets("the sync job into Forgejo"))("sync into $name", ({ start, skip }) => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  let src: StartedRegistry;
  let fake: ReplayServer;
  let index: string;
  let layer: string;
  const env = (extra: Record<string, string> = {}) => ({
    SOURCE_URL: src.url,
    TARGET_URL: fake.url,
    TARGET_USERNAME: "viktor",
    TARGET_PASSWORD: fake.user("viktor").token,
    TARGET_PREFIX: "viktor/",
    ...extra,
  });

  beforeAll(async () => {
    [src, fake] = await Promise.all([startRegistry(), start({ users: [{ login: "viktor" }] })]);
    const built = await pushIndex({ url: src.url }, "web", "latest", { attestations: true, seed: "web" });
    index = built.digest;
    layer = (built.children[0]?.layers[0]?.digest ?? "").replace("sha256:", "");
  }, 120_000);
  afterAll(async () => {
    await Promise.all([src?.stop(), fake?.stop()]);
  });

  it("a blob upload that keeps failing leaves no tag on the target; the next run copies the image", async () => {
    // Every attempt at one layer's upload (the first and its 3 retries) fails.
    fake.failNext({ method: "PUT", pathIncludes: layer }, { status: 500, body: "storage full" }, 4);
    const failed = await sync("copy", env({ DRY_RUN: "false" }));
    expect(failed.code).toBe(1);
    expect(tagLines(failed)).toEqual(["viktor/web:latest missing failed"]);
    expect(fake.versions("viktor", "web").map((v) => v.version)).not.toContain("latest");
    const copied = await sync("copy", env({ DRY_RUN: "false" }));
    expect(copied.code).toBe(0);
    const got = await served(fake.url, "viktor/web", "latest", { username: "viktor", password: fake.user("viktor").token });
    expect({ digest: got.digest, findings: got.findings }).toEqual({ digest: index, findings: [] });
    // The index went in by its tag alone: a push by digest first would leave Forgejo an untagged
    // version of it beside `latest` (its children are untagged versions, as after a buildx push).
    expect(fake.versions("viktor", "web").map((v) => v.version)).not.toContain(index);
    expect((await sync("check", env())).code).toBe(0);
  });

  it("a manifest the target refuses leaves no tag for a half image", async () => {
    await pushImage({ url: src.url }, "api", "1", { seed: "api-1" });
    fake.failNext(
      { method: "PUT", pathIncludes: "/manifests/" },
      { status: 400, body: JSON.stringify({ errors: [{ code: "MANIFEST_INVALID", message: "refused" }] }) },
      10,
    );
    const r = await sync("copy", env({ DRY_RUN: "false", REPOSITORIES: "api" }));
    expect(r.code).toBe(1);
    expect(tagLines(r)).toEqual(["viktor/api:1 missing failed"]);
    expect(String(r.lines.find((l) => l.msg === "tag not synced")?.detail)).toContain("400");
    expect(fake.versions("viktor", "api").map((v) => v.version)).not.toContain("1");
  });
});

/**
 * A source that spells repositories with capitals. registry:2 refuses such names, so this front
 * serves `shown` names for the registry:2 repositories behind them: the catalog and tag lists are
 * rewritten, and every /v2/<shown>/... request is forwarded to /v2/<stored>/....
 */
async function casedSource(upstream: string, shownToStored: Record<string, string>): Promise<StartedScriptedServer> {
  const storedToShown = new Map(Object.entries(shownToStored).map(([shown, stored]) => [stored, shown]));
  return startScriptedServer(async (req) => {
    let path = req.path;
    if (path.startsWith("/v2/_catalog")) return { status: 200, body: { repositories: Object.keys(shownToStored) } };
    for (const [shown, stored] of Object.entries(shownToStored))
      if (path.startsWith(`/v2/${shown}/`)) path = `/v2/${stored}/${path.slice(`/v2/${shown}/`.length)}`;
    const res = await fetch(`${upstream}${path}`, { method: req.method, headers: req.headers.accept ? { accept: req.headers.accept } : {} });
    const headers: Record<string, string> = {};
    for (const h of ["content-type", "docker-content-digest"]) {
      const v = res.headers.get(h);
      if (v) headers[h] = v;
    }
    if (req.method === "HEAD") {
      headers["content-length"] = res.headers.get("content-length") ?? "0";
      return { status: res.status, headers };
    }
    const body = new Uint8Array(await res.arrayBuffer());
    if (path.endsWith("/tags/list") && res.ok) {
      const list = JSON.parse(Buffer.from(body).toString()) as { name: string; tags: string[] };
      return { status: 200, headers, body: { ...list, name: storedToShown.get(list.name) ?? list.name } };
    }
    return { status: res.status, headers, body };
  });
}

describe("source names with capitals (distribution's grammar and Forgejo have none)", () => {
  let src: StartedRegistry;
  let dst: StartedRegistry;
  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  // Capitals are outside distribution's name grammar (registry:2 refuses them on push), but a
  // registry may have stored them before it did. The source is read under their own names and
  // written under lower-case ones (names.ts); anything else outside the grammar is still refused.
  it("a capitalised source name is copied under its lower-cased name, digest for digest, and then in parity", async () => {
    const image = await pushImage({ url: src.url }, "team/app-stored", "1", { seed: "cased-1" });
    const front = await casedSource(src.url, { "Team/App": "team/app-stored" });
    try {
      const env = { SOURCE_URL: front.url, TARGET_URL: dst.url, TARGET_PREFIX: "viktor/", DRY_RUN: "false" };
      const r = await sync("copy", env);
      expect(r.code).toBe(0);
      expect(tagLines(r)).toEqual(["viktor/team/app:1 missing copied"]);
      expect(r.lines.find((l) => l.tag === "1")).toMatchObject({ repository: "Team/App" });
      expect(await served(dst.url, "viktor/team/app", "1", { username: "", password: "" })).toEqual({ digest: image.digest, findings: [] });
      const again = await sync("check", env);
      expect(again.code).toBe(0);
      expect(tagLines(again)).toEqual(["viktor/team/app:1 in_parity none"]);
    } finally {
      await front.stop();
    }
  });

  it("a source name outside even that grammar ends the run as incomplete (exit 3) before any write", async () => {
    await pushImage({ url: src.url }, "team/odd-stored", "1", { seed: "cased-2" });
    const front = await casedSource(src.url, { "Team/Odd!": "team/odd-stored" });
    const before = await (await fetch(`${dst.url}/v2/_catalog`)).json();
    try {
      const r = await sync("copy", { SOURCE_URL: front.url, TARGET_URL: dst.url, TARGET_PREFIX: "viktor/", DRY_RUN: "false" });
      expect(r.code).toBe(3);
      expect(r.lines.find((l) => l.level === "error")).toMatchObject({
        msg: "the source could not be listed; nothing was compared",
        detail: 'invalid repository name "Team/Odd!"',
      });
      expect(await (await fetch(`${dst.url}/v2/_catalog`)).json()).toEqual(before);
    } finally {
      await front.stop();
    }
  });

  it("Team/Tool and team/tool collide on viktor/team/tool: an error naming both, neither copied", async () => {
    await pushImage({ url: src.url }, "team/tool-upper", "1", { seed: "collide-upper" });
    await pushImage({ url: src.url }, "team/tool-lower", "1", { seed: "collide-lower" });
    const front = await casedSource(src.url, { "Team/Tool": "team/tool-upper", "team/tool": "team/tool-lower" });
    try {
      const r = await sync("copy", { SOURCE_URL: front.url, TARGET_URL: dst.url, TARGET_PREFIX: "viktor/", DRY_RUN: "false" });
      expect(r.code).toBe(1);
      const collision = r.lines.find((l) => l.msg === "source repositories collide on the target; neither is synced");
      expect(collision).toMatchObject({ level: "error", target: "viktor/team/tool" });
      expect([...(collision?.sources as string[])].sort()).toEqual(["Team/Tool", "team/tool"]);
      const tags = await fetch(`${dst.url}/v2/viktor/team/tool/tags/list`);
      expect(tags.status).toBe(404);
    } finally {
      await front.stop();
    }
  });
});

describe("sync configuration", () => {
  it.each([
    [["frobnicate"], {}, "unknown command"],
    [[], {}, "a command is required"],
    [["copy"], { TARGET_URL: "http://127.0.0.1:1" }, "SOURCE_URL is required"],
    [["copy"], { SOURCE_URL: "http://127.0.0.1:1", TARGET_URL: "http://127.0.0.1:1" }, "copied onto itself"],
    [["copy"], { SOURCE_URL: "http://127.0.0.1:1", TARGET_URL: "http://127.0.0.1:2", DRY_RUN: "yes" }, "DRY_RUN"],
    [["copy"], { SOURCE_URL: "http://127.0.0.1:1", TARGET_URL: "http://127.0.0.1:2", TARGET_PREFIX: "Viktor" }, "TARGET_PREFIX"],
    [
      ["repair"],
      { SOURCE_ARCHIVE: "/a.tar", SOURCE_URL: "http://127.0.0.1:1", TARGET_URL: "http://127.0.0.1:2" },
      "set SOURCE_URL or SOURCE_ARCHIVE, not both",
    ],
    [["repair"], { SOURCE_ARCHIVE: "/a.tar", SOURCE_USERNAME: "u", SOURCE_PASSWORD: "p", TARGET_URL: "http://127.0.0.1:2" }, "an archive needs none"],
    [["repair"], { SOURCE_ARCHIVE: " ", TARGET_URL: "http://127.0.0.1:2" }, "SOURCE_ARCHIVE must not be blank"],
    [["cutover"], { SOURCE_ARCHIVE: "/a.tar", TARGET_URL: "http://127.0.0.1:2" }, "cutover reads the source registry's names; it cannot use SOURCE_ARCHIVE"],
  ])("%j %j is a configuration error before any request: %s", async (argv, env, message) => {
    const log = memoryLogger();
    const error: unknown = await run({ argv, env, signal: new AbortController().signal, log }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String((error as Error | undefined)?.message)).toContain(message);
    expect(exitCodeFor(error, log)).toBe(2);
  });
});
