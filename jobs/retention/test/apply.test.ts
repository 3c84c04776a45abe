// A live run's apply and verify phases end to end against the Forgejo fake:
// what each kind of delete outcome counts as, what a failed re-list or
// inventory leaves alone, and a tag pushed between the re-list and the
// deletes that the deletes break.
import { afterEach, describe, expect, it } from "vitest";
import { OCI_INDEX, pushImage, type BuiltImage } from "@regguard/testkit";
import { at, brokenReferences, liveEnv, names, OWNER, requests, runJob, startFake, target, versionDeletes, threeTags, type FakeServer } from "./harness.js";

let fake: FakeServer;
afterEach(async () => fake?.stop());

const applied = (lines: Awaited<ReturnType<typeof runJob>>["lines"]) => lines.find((l) => l.msg === "applied");

/** What CI does: an index tag over manifests already in the repository (Forgejo requires them to exist). */
async function tagIndex(repo: string, tag: string, children: BuiltImage[]): Promise<void> {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.manifest.length, platform: c.platform })),
  });
  const res = await fetch(`${fake.url}/v2/${repo}/manifests/${tag}`, {
    method: "PUT",
    body,
    headers: { "content-type": OCI_INDEX, authorization: `Basic ${Buffer.from(`${OWNER}:${fake.user(OWNER).token}`).toString("base64")}` },
  });
  if (res.status !== 201) throw new Error(`index push ${repo}:${tag}: HTTP ${res.status} ${await res.text()}`);
}

/**
 * svc's three tags plus an untagged manifest older than UNTAGGED_GRACE that nothing kept references:
 * planned for deletion, the child a racing index will name. The fake's clock is left at run time.
 */
async function svcWithOldOrphan(): Promise<BuiltImage> {
  fake = await startFake();
  await threeTags(fake);
  at(fake, "2024-05-01T00:00:00Z");
  const orphan = await pushImage(target(fake), "viktor/svc", undefined);
  at(fake, "2024-06-01T03:59:00Z");
  return orphan;
}

describe("a tag pushed between planning and the re-list", () => {
  // The plan deletes an old untagged manifest; before the deletes start, CI tags an index over it.
  // The re-list sees a version the plan never decided: the package is skipped whole, so the new
  // index keeps its child (apply.ts, "package changed since planning"). Checked by breaking
  // apply.ts by hand (the unplanned check dropped): the child is deleted and hotfix is served broken.
  it("an index over a child the plan deletes: the package is skipped, the child stays, hotfix is whole (exit 0)", async () => {
    const orphan = await svcWithOldOrphan();
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }), {
      beforeApply: async (plan) => {
        // The orphan really is planned for deletion: the race is real, not a plan that kept it anyway.
        const svc = plan.packages.find((p) => p.name === "svc");
        expect(svc?.decisions.find((d) => d.version === orphan.digest)?.action).toBe("delete");
        await tagIndex("viktor/svc", "hotfix", [orphan]);
      },
    });
    expect(code).toBe(0);
    expect(lines.find((l) => l.msg.startsWith("package changed since planning"))).toMatchObject({ package: "svc", new: ["hotfix"], skipped: 3 });
    expect(applied(lines)).toMatchObject({ deleted: 0, skipped: 3 });
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c", "hotfix", orphan.digest]);
    // What the registry serves: hotfix's child is still there, layers and all.
    expect(await brokenReferences(fake)).toEqual([]);
  });
});

describe("a tag pushed after the re-list", () => {
  it("an index tagged over an old sha256: child while that child's DELETE is in flight: reported broken, exit 1", async () => {
    const orphan = await svcWithOldOrphan();
    // The window: after the package's re-list, the moment the child's DELETE arrives (it waits for this).
    fake.beforeNext({ method: "DELETE", pathIncludes: `/container/svc/${orphan.digest}` }, async () => {
      await tagIndex("viktor/svc", "hotfix", [orphan]);
      await pushImage(target(fake), "viktor/svc", "unrelated");
    });
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(names(fake, "svc")).toEqual(["c", "hotfix", "unrelated"]);
    expect(applied(lines)).toMatchObject({ deleted: 3, failed: 0 });
    expect(code).toBe(1);
    expect(lines.filter((l) => l.msg === "TAG PUSHED DURING THE RUN IS BROKEN AFTER APPLYING")).toEqual([
      expect.objectContaining({ level: "error", kind: "child_missing", tag: "hotfix", digest: orphan.digest, since: "new", deletedByThisRun: true }),
    ]);
    expect(lines.find((l) => l.msg === "verified tags the plan did not keep")).toMatchObject({ packages: 1, tags: 2, findings: 1 });
    expect(lines.find((l) => l.msg === "retention finished")?.failures).toEqual([
      "1 broken reference(s) in tags the plan did not keep (pushed during the run, or not deleted)",
    ]);
    // What the integrity probe will see tomorrow: exactly this one.
    expect((await brokenReferences(fake)).map((f) => [f.tag, f.digest])).toEqual([["hotfix", orphan.digest]]);
  });

  it("a healthy tag pushed during the deletes is walked and the run stays at exit 0", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.beforeNext({ method: "DELETE", pathIncludes: "/container/svc/a" }, async () => void (await pushImage(target(fake), "viktor/svc", "d")));
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    expect(names(fake, "svc")).toEqual(["c", "d"]);
    expect(lines.find((l) => l.msg === "verified tags the plan did not keep")).toMatchObject({ packages: 1, tags: 1, findings: 0 });
    expect(await brokenReferences(fake)).toEqual([]);
  });
});

describe("delete outcomes", () => {
  it("a DELETE answered 404, and a version already gone at the re-list, both count as already gone: exit 0", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.failNext({ method: "DELETE", pathIncludes: "/container/svc/a" }, { status: 404, body: '{"message":"The target couldn\'t be found."}' });
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }), {
      // Someone else deletes b between the plan and the re-list.
      beforeApply: async () => {
        const res = await fetch(`${fake.url}/api/v1/packages/viktor/container/svc/b`, {
          method: "DELETE",
          headers: { authorization: `token ${fake.user(OWNER).token}` },
        });
        expect(res.status).toBe(204);
      },
    });
    expect(code).toBe(0);
    expect(applied(lines)).toMatchObject({ deleted: 0, "already-gone": 2, failed: 0, skipped: 0, "not-attempted": 0 });
    // b was not even asked for: the re-list said it was gone.
    expect(versionDeletes(fake).filter((p) => p.endsWith("/svc/b"))).toHaveLength(1);
    expect(versionDeletes(fake).filter((p) => p.endsWith("/svc/a"))).toHaveLength(1);
    // The 404 was forced, so a is still there; tomorrow's run deletes it.
    expect(names(fake, "svc")).toEqual(["a", "c"]);
  });

  it("a DELETE that answers 5xx through every retry is a counted failure; the other deletes go on; exit 1", async () => {
    fake = await startFake();
    await threeTags(fake);
    await threeTags(fake, "other");
    // 1 try + 3 retries of the forgejo-client.
    fake.failNext({ method: "DELETE", pathIncludes: "/container/svc/a" }, { status: 503, body: "try later" }, 4);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", CONCURRENCY: "1" }));
    expect(code).toBe(1);
    expect(requests(fake, "DELETE", "/container/svc/a")).toHaveLength(4);
    expect(lines.filter((l) => l.msg === "delete failed")).toEqual([expect.objectContaining({ package: "svc", version: "a", status: 503 })]);
    expect(applied(lines)).toMatchObject({ deleted: 3, failed: 1, "not-attempted": 0 });
    expect(lines.find((l) => l.msg === "retention finished")?.failures).toEqual(["1 delete(s) failed, 0 not attempted"]);
    expect(names(fake, "svc")).toEqual(["a", "c"]);
    expect(names(fake, "other")).toEqual(["c"]);
  });

  it("a re-list that fails deletes nothing in that package, the next package is applied; exit 1", async () => {
    fake = await startFake();
    await threeTags(fake, "flaky");
    await threeTags(fake, "fine");
    // Only the re-list asks with q=<package>; the inventory lists the owner unfiltered.
    fake.failNext({ method: "GET", pathIncludes: "q=flaky" }, { status: 500, body: "boom" }, 4);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(1);
    expect(lines.find((l) => l.msg.startsWith("cannot re-list the package before deleting"))).toMatchObject({ level: "error", package: "flaky" });
    expect(applied(lines)).toMatchObject({ deleted: 2, failed: 2 });
    expect(versionDeletes(fake).filter((p) => p.includes("/container/flaky/"))).toEqual([]);
    expect(names(fake, "flaky")).toEqual(["a", "b", "c"]);
    expect(names(fake, "fine")).toEqual(["c"]);
  });

  it("an untagged version whose re-read fails is not deleted: a counted failure with its reason; exit 1", async () => {
    const orphan = await svcWithOldOrphan();
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }), {
      // After planning (which reads the version's files): only the re-read before its DELETE fails.
      beforeApply: async () => fake.failNext({ method: "GET", pathIncludes: `/container/svc/${orphan.digest}` }, { status: 500, body: "boom" }, 4),
    });
    expect(code).toBe(1);
    expect(lines.find((l) => l.msg === "cannot re-read the version before deleting it: not deleted")).toMatchObject({
      level: "error",
      package: "svc",
      version: orphan.digest,
    });
    expect(applied(lines)).toMatchObject({ deleted: 2, failed: 1, "already-gone": 0 });
    expect(versionDeletes(fake).filter((p) => p.endsWith(orphan.digest))).toEqual([]);
    expect(names(fake, "svc")).toEqual(["c", orphan.digest]);
  });

  it("an untagged version deleted by someone else just before its turn counts as already gone, without a DELETE: exit 0", async () => {
    const orphan = await svcWithOldOrphan();
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }), {
      beforeDelete: async (_pkg, version) => {
        if (version !== orphan.digest) return;
        const res = await fetch(`${fake.url}/api/v1/packages/viktor/container/svc/${orphan.digest}`, {
          method: "DELETE",
          headers: { authorization: `token ${fake.user(OWNER).token}` },
        });
        expect(res.status).toBe(204);
      },
    });
    expect(code).toBe(0);
    expect(lines.find((l) => l.msg === "already gone")).toMatchObject({ package: "svc", version: orphan.digest });
    expect(applied(lines)).toMatchObject({ deleted: 2, "already-gone": 1, failed: 0 });
    // The one DELETE of it was the other client's.
    expect(versionDeletes(fake).filter((p) => p.endsWith(orphan.digest))).toHaveLength(1);
  });

  it("a 403 on a delete stops the run: the package's untagged and every later package are not attempted; exit 1", async () => {
    const orphan = await svcWithOldOrphan();
    await threeTags(fake, "zeta");
    fake.failNext({ method: "DELETE", pathIncludes: "/container/svc/a" }, { status: 403, body: '{"message":"token does not have required scope"}' });
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", CONCURRENCY: "1" }));
    expect(code).toBe(1);
    expect(lines.find((l) => l.msg === "stopped deleting after an authorization failure")).toMatchObject({ level: "error", reason: "HTTP 403 deleting svc:a" });
    const counts = applied(lines);
    // zeta's two and svc's untagged orphan were never tried.
    expect(Number(counts?.["not-attempted"])).toBe(3);
    expect(counts).toMatchObject({ failed: 1 });
    expect(versionDeletes(fake).filter((p) => p.includes("/container/zeta/") || p.endsWith(orphan.digest))).toEqual([]);
    expect(names(fake, "zeta")).toEqual(["a", "b", "c"]);
    // A stopped run asks Forgejo nothing more about the packages after it: not even a re-list.
    expect(requests(fake, "GET", "q=zeta")).toEqual([]);
  });

  it("an inventory whose X-Total-Count never matches its pages: exit 1, nothing planned or deleted", async () => {
    fake = await startFake();
    await threeTags(fake);
    // Every attempt (LIST_ATTEMPTS = 3) sees an empty first page that claims 5 versions.
    fake.failNext({ method: "GET", pathIncludes: "/api/v1/packages/viktor?type=container" }, { status: 200, body: "[]", headers: { "X-Total-Count": "5" } }, 3);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(1);
    expect(requests(fake, "GET", "/api/v1/packages/viktor?type=container")).toHaveLength(3);
    expect(lines.find((l) => l.level === "error" && l.msg.startsWith("cannot list viktor's container versions"))?.msg).toMatch(/X-Total-Count says 5/);
    expect(lines.filter((l) => l.msg === "plan")).toEqual([]);
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });
});
