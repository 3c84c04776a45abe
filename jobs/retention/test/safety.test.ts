// The ways the shell retention failed, and the ways this one must fail
// closed: wrong token, refused deletes, DRY_RUN spelling, races, the guard,
// unresolvable and already-broken images.
import { afterEach, describe, expect, it } from "vitest";
import { pushImage, pushIndex } from "@regguard/testkit";
import { at, brokenReferences, liveEnv, names, OWNER, planOf, probeDeletes, requests, runJob, startFake, target, versionDeletes, threeTags, type FakeServer } from "./harness.js";

let fake: FakeServer;
afterEach(async () => fake?.stop());


describe("token and permissions", () => {
  it("a token of another user stops the run with exit 2 before any listing or delete, even in dry-run", async () => {
    fake = await startFake();
    await threeTags(fake);
    for (const DRY_RUN of ["false", "true"]) {
      fake.requests.length = 0;
      const { code, lines } = await runJob(liveEnv(fake, { FORGEJO_TOKEN: fake.user("stranger").token, DRY_RUN, KEEP_LAST_N: "1" }));
      expect(code).toBe(2);
      expect(lines.some((l) => l.level === "error" && /belongs to stranger/.test(l.msg))).toBe(true);
      expect(requests(fake, "DELETE")).toEqual([]);
      expect(requests(fake, "GET", "/api/v1/packages/")).toEqual([]);
    }
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("an admin's token and an owner-org owner's token pass the preflight", async () => {
    fake = await startFake({ orgs: [{ name: "infra", owners: [OWNER] }] });
    await pushImage(target(fake), "infra/tool", "v1");
    const admin = await runJob(liveEnv(fake, { FORGEJO_TOKEN: fake.user("root").token, DRY_RUN: "true" }));
    expect(admin.code).toBe(0);
    const member = await runJob(liveEnv(fake, { FORGEJO_OWNER: "infra", DRY_RUN: "true" }));
    expect(member.code).toBe(0);
    expect(planOf(member.lines, "tool")).toEqual({ v1: "keep: newest" });
  });

  it("a DELETE answered 403 is a counted failure: exit 1, the rest not attempted, nothing broken", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.failNext({ method: "DELETE", pathIncludes: "/api/v1/packages/viktor/container/svc/" }, { status: 403, body: '{"message":"user should have specific permission or be a site admin"}' });
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", CONCURRENCY: "1" }));
    expect(code).toBe(1);
    const failed = lines.filter((l) => l.msg === "delete failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.status).toBe(403);
    expect(lines.find((l) => l.msg === "applied")).toMatchObject({ failed: 1, "not-attempted": 1, deleted: 0 });
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
    expect(await brokenReferences(fake)).toEqual([]);
  });
});

describe("preflight: the token's scope and Forgejo's reachability", () => {
  it("a token of the owner without write:package stops the run with exit 2 in dry-run and live, before any listing", async () => {
    fake = await startFake();
    await threeTags(fake);
    // Enough to plan (read:package) and to pass the identity check (read:user); not to delete.
    const readOnly = fake.addToken(OWNER, ["read:package", "read:user"]);
    for (const DRY_RUN of ["true", "false"]) {
      fake.requests.length = 0;
      const { code, lines } = await runJob(liveEnv(fake, { FORGEJO_TOKEN: readOnly, DRY_RUN, KEEP_LAST_N: "1" }));
      expect(code).toBe(2);
      const stop = lines.find((l) => l.level === "error" && /lacks write:package; every delete would be refused/.test(l.msg));
      expect(stop?.msg).toMatch(/\(403: token does not have at least one of required scope\(s\): \[write:package\]\)/);
      expect(probeDeletes(fake)).toHaveLength(1);
      expect(versionDeletes(fake)).toEqual([]);
      expect(requests(fake, "GET", "/api/v1/packages/")).toEqual([]);
    }
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("a token with write:package passes the probe (404) and the dry run exits 0 having deleted nothing", async () => {
    fake = await startFake();
    await threeTags(fake);
    const writer = fake.addToken(OWNER, ["write:package", "read:user"]);
    const { code, lines } = await runJob(liveEnv(fake, { FORGEJO_TOKEN: writer, DRY_RUN: "true", KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    const passed = lines.find((l) => l.msg.startsWith("preflight:"));
    expect(passed).toMatchObject({ login: OWNER, as: "owner", probed: expect.stringMatching(/^regguard-preflight-[0-9a-f]{32}$/) });
    expect(probeDeletes(fake)).toEqual([`/api/v1/packages/viktor/container/${String(passed?.probed)}/probe`]);
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("an org member without package write passes the preflight (the probe sees only the scope); the first live delete is refused", async () => {
    fake = await startFake({ orgs: [{ name: "infra", owners: ["root"], members: [OWNER] }] });
    const admin = target(fake, "root");
    for (const [i, tag] of ["a", "b"].entries()) {
      at(fake, `2024-05-0${i + 1}T00:00:00Z`);
      await pushImage(admin, "infra/tool", tag);
    }
    const dry = await runJob(liveEnv(fake, { FORGEJO_OWNER: "infra", DRY_RUN: "true", KEEP_LAST_N: "1" }));
    expect(dry.code).toBe(0);
    expect(dry.lines.find((l) => l.msg.startsWith("preflight:"))).toMatchObject({ as: "org-member" });
    const live = await runJob(liveEnv(fake, { FORGEJO_OWNER: "infra", KEEP_LAST_N: "1" }));
    expect(live.code).toBe(1);
    expect(live.lines.find((l) => l.msg === "delete failed")).toMatchObject({ status: 403, version: "a" });
    expect(live.lines.some((l) => l.msg === "stopped deleting after an authorization failure")).toBe(true);
    expect(fake.versions("infra", "tool").map((v) => v.version).sort()).toEqual(["a", "b"]);
  });

  it("Forgejo answering 5xx to the preflight after retries is exit 2, nothing listed", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.requests.length = 0;
    // 1 try + 3 retries of the forgejo-client.
    fake.failNext({ method: "GET", pathIncludes: "/api/v1/user" }, { status: 503, body: "maintenance" }, 4);
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "true" }));
    expect(code).toBe(2);
    expect(lines.find((l) => l.level === "error" && l.msg.startsWith("cannot ask Forgejo who the token is"))?.msg).toMatch(/HTTP 503/);
    expect(requests(fake, "GET", "/api/v1/packages/")).toEqual([]);
    expect(requests(fake, "DELETE")).toEqual([]);
  });

  it("an unexpected answer to the probe is a preflight error (exit 2), a 5xx after retries too", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.failNext({ method: "DELETE", pathIncludes: "/container/regguard-preflight-" }, { status: 400, body: '{"message":"odd proxy"}' });
    const odd = await runJob(liveEnv(fake, { DRY_RUN: "true" }));
    expect(odd.code).toBe(2);
    expect(odd.lines.some((l) => l.level === "error" && /cannot tell whether FORGEJO_TOKEN may delete.*HTTP 400/.test(l.msg))).toBe(true);
    fake.failNext({ method: "DELETE", pathIncludes: "/container/regguard-preflight-" }, { status: 502, body: "bad gateway" }, 4);
    const down = await runJob(liveEnv(fake, { DRY_RUN: "true" }));
    expect(down.code).toBe(2);
    expect(down.lines.some((l) => l.level === "error" && /cannot ask Forgejo whether the token may delete.*HTTP 502/.test(l.msg))).toBe(true);
    expect(versionDeletes(fake)).toEqual([]);
  });
});

describe("DRY_RUN", () => {
  it("TRUE (any case) is a dry run: the full plan, no DELETE", async () => {
    fake = await startFake();
    await threeTags(fake);
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "TRUE", KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    expect(planOf(lines, "svc")).toEqual({ c: "keep: newest", b: "delete", a: "delete" });
    expect(lines.some((l) => l.msg === "dry run: nothing deleted" && l.wouldDelete === 2)).toBe(true);
    expect(versionDeletes(fake)).toEqual([]);
    // The one DELETE of a dry run: the preflight's probe of a package that cannot exist.
    expect(probeDeletes(fake)).toEqual([expect.stringMatching(/^\/api\/v1\/packages\/viktor\/container\/regguard-preflight-[0-9a-f]{32}\/probe$/)]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("yes is a configuration error: exit 2 before any request", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.requests.length = 0;
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "yes" }));
    expect(code).toBe(2);
    expect(JSON.stringify(lines)).toMatch(/DRY_RUN must be true or false/);
    expect(fake.requests).toEqual([]);
  });
});

describe("races and the guard", () => {
  it("a re-push between plan and apply: the package is skipped, the re-pushed tag survives", async () => {
    fake = await startFake();
    await threeTags(fake);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }), {
      beforeApply: async () => void (await pushImage(target(fake), "viktor/svc", "a")),
    });
    expect(code).toBe(0);
    expect(lines.some((l) => l.msg.startsWith("package changed since planning") && l.package === "svc")).toBe(true);
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("the post-apply walk fails the run loudly when a kept image broke during the run", async () => {
    fake = await startFake();
    at(fake, "2024-01-01T00:00:00Z");
    const site = await pushIndex(target(fake), "viktor/site", "latest");
    await pushImage(target(fake), "viktor/site", "old");
    const child = site.children[0]!.digest;
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }), {
      // Someone else deletes a kept child between the plan and the deletes.
      beforeApply: async () => {
        const res = await fetch(`${fake.url}/api/v1/packages/viktor/container/site/${child}`, { method: "DELETE", headers: { authorization: `token ${fake.user(OWNER).token}` } });
        expect(res.status).toBe(204);
      },
    });
    expect(code).toBe(1);
    expect(lines.find((l) => l.msg === "KEPT IMAGE BROKEN AFTER APPLYING")).toMatchObject({ kind: "child_missing", digest: child, tag: "latest", preExisting: false });
    expect(lines.find((l) => l.msg === "retention finished")?.failures).toEqual(["1 broken reference(s) in kept images"]);
  });

  it("the guard refuses a plan over MAX_DELETE_PERCENT or MAX_DELETES (exit 1, no DELETE); FORCE applies it", async () => {
    fake = await startFake();
    await threeTags(fake);
    // A dry run has nothing to refuse: a warning in the plan, exit 0.
    const dry = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", MAX_DELETES: "1", DRY_RUN: "true" }));
    expect(dry.code).toBe(0);
    expect(dry.lines.some((l) => l.level === "warn" && /guard would trip/.test(l.msg))).toBe(true);
    const pct = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", MAX_DELETE_PERCENT: "50" }));
    expect(pct.code).toBe(1);
    expect(pct.lines.some((l) => l.level === "error" && /guard tripped/.test(l.msg))).toBe(true);
    const total = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", MAX_DELETES: "1" }));
    expect(total.code).toBe(1);
    expect(versionDeletes(fake)).toEqual([]);
    const forced = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", MAX_DELETES: "1", FORCE: "true" }));
    expect(forced.code).toBe(0);
    expect(names(fake, "svc")).toEqual(["c"]);
    expect(await brokenReferences(fake)).toEqual([]);
  });
});

describe("fail closed", () => {
  it("a kept tag that cannot be resolved (HTTP 500) freezes its package only; exit 1", async () => {
    fake = await startFake();
    await threeTags(fake, "flaky");
    await threeTags(fake, "fine");
    // 1 try + 3 retries of the oci-client, all refused.
    fake.failNext({ method: "GET", pathIncludes: "/v2/viktor/flaky/manifests/c" }, { status: 500, body: "boom" }, 4);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(1);
    expect(lines.some((l) => l.msg.startsWith("package frozen") && l.package === "flaky")).toBe(true);
    expect(names(fake, "flaky")).toEqual(["a", "b", "c"]);
    expect(names(fake, "fine")).toEqual(["c"]);
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("a REGISTRY_URL that is not this Forgejo freezes every package instead of deleting children blind", async () => {
    fake = await startFake();
    // Another registry that accepts the same credentials but holds other images.
    const other = await startFake({ users: [{ login: OWNER, token: fake.user(OWNER).token }] });
    try {
      at(fake, "2024-01-01T00:00:00Z");
      await pushIndex(target(fake), "viktor/site", "latest");
      const { code, lines } = await runJob(liveEnv(fake, { REGISTRY_URL: other.url, FORGEJO_USER: OWNER }));
      expect(code).toBe(1);
      expect(JSON.stringify(lines.filter((l) => l.msg.startsWith("package frozen")))).toMatch(/REGISTRY_URL/);
      expect(versionDeletes(fake)).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  it("an image broken before the run is reported, not frozen; the live run's walk still fails loudly", async () => {
    fake = await startFake();
    at(fake, "2024-01-01T00:00:00Z");
    const site = await pushIndex(target(fake), "viktor/site", "latest");
    await pushImage(target(fake), "viktor/site", "old");
    const child = site.children[1]!.digest;
    // What the shell retention did: delete a child version behind its index's back.
    const del = await fetch(`${fake.url}/api/v1/packages/viktor/container/site/${child}`, { method: "DELETE", headers: { authorization: `token ${fake.user(OWNER).token}` } });
    expect(del.status).toBe(204);
    const dry = await runJob(liveEnv(fake, { DRY_RUN: "true", KEEP_LAST_N: "0" }));
    expect(dry.code).toBe(0);
    expect(dry.lines.find((l) => l.msg.startsWith("kept image is already broken"))).toMatchObject({ root: "latest", target: child });
    const live = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }));
    expect(live.code).toBe(1);
    expect(live.lines.some((l) => l.msg.startsWith("kept image is broken (it already was") && l.digest === child)).toBe(true);
    expect(names(fake, "site")).not.toContain("old");
  });
});
