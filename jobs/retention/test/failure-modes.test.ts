// Forgejo's own failure modes, each failing closed, on the fake and on the pinned real server with
// the same assertions (issue 11): a listed kept tag whose manifest cannot be read, a version whose
// name lies about its content, a dry run that changes nothing, tags deleted before the untagged
// versions they may reference, a version re-created between plan and delete, and a /v2 that does
// not answer while the run verifies.
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { OCI_INDEX, OCI_MANIFEST, pushImage, pushIndex, pushManifest, type ReplayServer } from "@regguard/testkit";
import {
  at,
  brokenReferences,
  deleteVersion,
  liveEnv,
  mutations,
  names,
  planOf,
  REPLAY_TARGETS,
  requests,
  runJob,
  target,
  threeTags,
  versionDeletes,
  type LogLine,
} from "./harness.js";

let fake: ReplayServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const MANIFEST_UNKNOWN = { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };

/** viktor/site, all dated 2024-01-01: `latest` (an index of two untagged children), `old`, and an orphan untagged image. */
async function site(fake: ReplayServer) {
  at(fake, "2024-01-01T00:00:00Z");
  const latest = await pushIndex(target(fake), "viktor/site", "latest");
  await pushImage(target(fake), "viktor/site", "old");
  const orphan = await pushImage(target(fake), "viktor/site", undefined);
  return { latest, orphan };
}

/** viktor/site, dated 2024-01-01: `old` and `latest`, each an index of its own two untagged children. */
async function oldIndexBesideLatest(fake: ReplayServer) {
  at(fake, "2024-01-01T00:00:00Z");
  const old = await pushIndex(target(fake), "viktor/site", "old");
  await pushIndex(target(fake), "viktor/site", "latest");
  return old;
}

const frozenProblems = (lines: readonly LogLine[], pkg: string): string =>
  JSON.stringify(lines.filter((l) => l.msg.startsWith("package frozen") && l.package === pkg).map((l) => l.problems));

const failures = (lines: readonly LogLine[]): unknown => lines.find((l) => l.msg === "retention finished")?.failures;

describe.each(REPLAY_TARGETS)("Forgejo's failure modes on $name", ({ start: startServer, skip }) => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  const start = async (): Promise<ReplayServer> => (fake = await startServer());

  it("a dry run is read-only: no DELETE, PUT, POST or PATCH at all, one files call per untagged deletion candidate", async () => {
    const fake = await start();
    const { orphan } = await site(fake);
    fake.requests.length = 0;
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "true", KEEP_LAST_N: "0" }));
    expect(code).toBe(0);
    expect(planOf(lines, "site")).toMatchObject({ latest: "keep: latest", old: "delete", [orphan.digest]: "delete" });
    expect(mutations(fake)).toEqual([]);
    // The orphan is the one untagged candidate; kept children and tags cost no files call.
    expect(requests(fake, "GET", "/files")).toEqual([`/api/v1/packages/viktor/container/site/${orphan.digest}/files`]);
    expect(lines.find((l) => l.msg === "plan totals")?.writeScope).toMatch(/^not verified/);
  });

  it("a kept tag whose manifest content is gone while its rows stay (404 MANIFEST_UNKNOWN, still listed) freezes its package", async () => {
    const fake = await start();
    const { latest, orphan } = await site(fake);
    await threeTags(fake, "fine");
    // gitea#19586: the database keeps the rows, storage lost the manifest.
    fake.dropManifestContent(latest.digest.slice("sha256:".length));
    // A frozen package fails even a dry run: the operator must look before the nightly run does.
    const dry = await runJob(liveEnv(fake, { DRY_RUN: "true", KEEP_LAST_N: "1" }));
    expect(dry.code).toBe(1);
    expect(frozenProblems(dry.lines, "site")).toMatch(/kept latest is listed but its manifest cannot be read/);
    const live = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(live.code).toBe(1);
    expect(planOf(live.lines, "site")[orphan.digest]).toMatch(/^keep: frozen: kept latest is listed but its manifest cannot be read/);
    expect(failures(live.lines)).toContain("1 package(s) frozen: something kept could not be resolved");
    // The children that re-pushing the index would need are still there; the other package is pruned.
    expect(names(fake, "site")).toEqual([...latest.children.map((c) => c.digest), orphan.digest, "latest", "old"].sort());
    expect(names(fake, "fine")).toEqual(["c"]);
  });

  it("a kept tag that a proxy answers 404 for while it stays listed freezes its package: nothing deleted, exit 1", async () => {
    const fake = await start();
    const { latest } = await site(fake);
    for (const method of ["HEAD", "GET"]) fake.failNext({ method, pathIncludes: "/v2/viktor/site/manifests/latest" }, MANIFEST_UNKNOWN, 100);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }));
    expect(code).toBe(1);
    expect(frozenProblems(lines, "site")).toMatch(/kept latest is listed but its manifest cannot be read/);
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "site")).toHaveLength(latest.children.length + 3);
  });

  it("a kept tag deleted during the run (404, and no longer listed) is planned without: the next newest takes its place", async () => {
    const fake = await start();
    await threeTags(fake);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }), {
      afterInventory: async () => void expect((await deleteVersion(fake, "svc", "c")).status).toBe(204),
    });
    expect(code).toBe(0);
    expect(lines.find((l) => l.msg.startsWith("kept versions deleted during the run"))).toMatchObject({ package: "svc", gone: ["c"] });
    expect(planOf(lines, "svc")).toEqual({ b: "keep: newest", a: "delete" });
    expect(names(fake, "svc")).toEqual(["b"]);
  });

  it("an untagged version whose name lies about its content freezes its package before it can break a kept index", async () => {
    const fake = await start();
    at(fake, "2024-01-01T00:00:00Z");
    // The child A is stored under the name Z (Forgejo does not check a digest push), and the
    // version named A holds another image's bytes. /v2 serves A from Z, so deleting Z, which
    // nothing references by name, would break latest.
    const child = await pushImage(target(fake), "viktor/lies", undefined);
    const z = `sha256:${"7".repeat(64)}`;
    await pushManifest(target(fake), "viktor/lies", z, child.mediaType, child.manifest);
    const other = await pushImage(target(fake), "viktor/lies", "other");
    await pushManifest(target(fake), "viktor/lies", child.digest, other.mediaType, other.manifest);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [{ mediaType: child.mediaType, digest: child.digest, size: child.manifest.length, platform: { os: "linux", architecture: "amd64" } }],
      }),
    );
    await pushManifest(target(fake), "viktor/lies", "latest", OCI_INDEX, index);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(1);
    expect(frozenProblems(lines, "lies")).toContain(`version ${z} holds a manifest whose sha256 is ${child.digest}: its name lies about its content`);
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "lies")).toEqual([child.digest, z, "latest", "other"].sort());
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("every tag is deleted, and answered, before any untagged version, whatever the concurrency", async () => {
    const fake = await start();
    const old = await oldIndexBesideLatest(fake);
    let answeredAt = -1;
    // The tag's DELETE is held for a while; with the old list order, its children went meanwhile.
    fake.beforeNext({ method: "DELETE", pathIncludes: "/container/site/old" }, async () => {
      await sleep(300);
      answeredAt = fake.requests.length;
    });
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0", CONCURRENCY: "4" }));
    expect(code).toBe(0);
    const untaggedDeletes = fake.requests.flatMap((r, i) => (r.method === "DELETE" && r.path.includes("/container/site/sha256:") ? [i] : []));
    expect(untaggedDeletes).toHaveLength(old.children.length);
    expect(answeredAt).toBeGreaterThan(0);
    expect(Math.min(...untaggedDeletes)).toBeGreaterThanOrEqual(answeredAt);
    // Each delete line names the id that was re-read (untagged) or re-listed (tags) right before it.
    const deleted = lines.filter((l) => l.msg === "deleted");
    expect(deleted.map((l) => l.version).sort()).toEqual(["old", ...old.children.map((c) => c.digest)].sort());
    const ids = new Map(lines.filter((l) => l.msg === "plan").map((l) => [l.version, l.id]));
    for (const l of deleted) expect(l.id).toBe(ids.get(l.version));
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("a tag whose delete fails keeps the package's untagged versions: no tag is left pointing at deleted children", async () => {
    const fake = await start();
    const old = await oldIndexBesideLatest(fake);
    // 1 try + 3 retries of the forgejo-client, all refused.
    fake.failNext({ method: "DELETE", pathIncludes: "/container/site/old" }, { status: 500, body: "boom" }, 4);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }));
    expect(code).toBe(1);
    expect(lines.find((l) => l.msg.startsWith("tag deletes did not all succeed"))).toMatchObject({ package: "site", tags: ["old"], kept: old.children.length });
    expect(lines.find((l) => l.msg === "applied")).toMatchObject({ skipped: old.children.length, "not-attempted": 0 });
    expect(versionDeletes(fake).filter((p) => p.includes("sha256:"))).toEqual([]);
    expect(names(fake, "site")).toEqual(expect.arrayContaining(["old", ...old.children.map((c) => c.digest)]));
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("an untagged version re-created between plan and delete (a re-push: a new id) is not deleted, and is reported", async () => {
    const fake = await start();
    const { orphan } = await site(fake);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }), {
      beforeDelete: async (_pkg, version) => {
        if (version === orphan.digest) await pushManifest(target(fake), "viktor/site", orphan.digest, orphan.mediaType, orphan.manifest);
      },
    });
    expect(code).toBe(0);
    const planned = lines.find((l) => l.msg === "plan" && l.version === orphan.digest)?.id;
    const skipped = lines.find((l) => l.msg.startsWith("version re-created since planning"));
    expect(skipped).toMatchObject({ package: "site", version: orphan.digest, plannedId: planned });
    expect(skipped?.id).not.toBe(planned);
    expect(names(fake, "site")).toContain(orphan.digest);
    expect(names(fake, "site")).not.toContain("old");
    expect(lines.find((l) => l.msg === "applied")).toMatchObject({ skipped: 1 });
  });

  it("a /v2 that answers 500 while the run verifies is 'could not verify', never a broken image; 'after applying' only when something was", async () => {
    const fake = await start();
    await threeTags(fake);
    const outage = () => fake.failNext({ method: "GET", pathIncludes: "/v2/viktor/" }, { status: 500, body: "boom" }, 10_000);
    // Nothing to delete: whatever the walk meets cannot have been caused by this run.
    const idle = await runJob(liveEnv(fake, { KEEP_LAST_N: "10" }), { beforeApply: async () => outage() });
    expect(idle.code).toBe(1);
    expect(idle.lines.filter((l) => /could not verify a kept tag/.test(l.msg)).length).toBeGreaterThan(0);
    expect(idle.lines.some((l) => /BROKEN|is broken/.test(l.msg))).toBe(false);
    expect(failures(idle.lines)).toEqual([expect.stringMatching(/^\d+ reference\(s\) could not be verified: the registry did not answer/)]);
  });

  it("tags that cannot be listed again after applying fail the run: what was pushed meanwhile is unverified (issue 16)", async () => {
    const fake = await start();
    await site(fake);
    // Armed at the first DELETE: the re-list before the deletes has already answered.
    fake.beforeNext({ method: "DELETE", pathIncludes: "/api/v1/packages/viktor/container/site/" }, () => {
      fake.failNext({ method: "GET", pathIncludes: "/v2/viktor/site/tags/list" }, { status: 503, body: "unavailable" }, 20);
    });
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }));
    expect(versionDeletes(fake).length).toBeGreaterThan(0);
    expect(code).not.toBe(0);
    expect(JSON.stringify(failures(lines))).toContain("could not be listed again after applying");
    expect(lines.some((l) => l.msg.startsWith("cannot list the package's tags after applying") && l.package === "site")).toBe(true);
  });

  it("the OCI subject of a kept manifest is kept: an untagged image that a kept artifact refers to survives KEEP_LAST_N=0 (issue 16)", async () => {
    const fake = await start();
    at(fake, "2024-01-01T00:00:00Z");
    const image = await pushImage(target(fake), "viktor/sig", undefined, { seed: "subject-image" });
    const artifact = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: "application/vnd.example.signature",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: image.config.digest, size: image.config.size },
        layers: image.layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: l.digest, size: l.size })),
        subject: { mediaType: image.mediaType, digest: image.digest, size: image.manifest.length },
      }),
    );
    await pushManifest(target(fake), "viktor/sig", "latest", OCI_MANIFEST, artifact);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }));
    expect(code).toBe(0);
    expect(planOf(lines, "sig")[image.digest]).toMatch(/^keep/);
    expect(versionDeletes(fake).filter((p) => p.includes(image.digest))).toEqual([]);
    expect(names(fake, "sig")).toContain(image.digest);
  });
});
