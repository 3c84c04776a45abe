// The fail-closed cases that need no fault injection, run on the fake and on the pinned real
// server with the same assertions: wrong and read-only tokens, the preflight's probe, DRY_RUN,
// a re-push between plan and apply, the guard, images broken before and during the run.
// (The cases that make the server misbehave on cue stay on the fake: safety.test.ts.)
import { afterEach, describe, expect, it } from "vitest";
import { pushImage, pushIndex, type ReplayServer } from "@regguard/testkit";
import {
  at,
  deleteVersion,
  liveEnv,
  mutations,
  names,
  OWNER,
  planOf,
  probeDeletes,
  REPLAY_TARGETS,
  requests,
  runJob,
  target,
  versionDeletes,
  threeTags,
} from "./harness.js";

let fake: ReplayServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

/** viktor/site: an index tagged latest and an image tagged old, both dated 2024-01-01. */
async function siteWithOldTag(fake: ReplayServer) {
  at(fake, "2024-01-01T00:00:00Z");
  const site = await pushIndex(target(fake), "viktor/site", "latest");
  await pushImage(target(fake), "viktor/site", "old");
  return site;
}

describe.each(REPLAY_TARGETS)("fail closed on $name", ({ start: startServer, skip }) => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  const start = async (opts?: Parameters<typeof startServer>[0]): Promise<ReplayServer> => (fake = await startServer(opts));

  it("a token of another user stops the run with exit 2 before any listing or delete, even in dry-run", async () => {
    const fake = await start();
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
    const fake = await start({ orgs: [{ name: "infra", owners: [OWNER] }] });
    await pushImage(target(fake), "infra/tool", "v1");
    const admin = await runJob(liveEnv(fake, { FORGEJO_TOKEN: fake.user("root").token, DRY_RUN: "true" }));
    expect(admin.code).toBe(0);
    const member = await runJob(liveEnv(fake, { FORGEJO_OWNER: "infra", DRY_RUN: "true" }));
    expect(member.code).toBe(0);
    expect(planOf(member.lines, "tool")).toEqual({ v1: "keep: newest" });
  });

  it("a token of the owner without write:package: the live run stops with exit 2 before any listing; the dry run plans and says the scope is unverified", async () => {
    const fake = await start();
    await threeTags(fake);
    // Enough to plan (read:package) and to pass the identity check (read:user); not to delete.
    const readOnly = await fake.addToken(OWNER, ["read:package", "read:user"]);
    fake.requests.length = 0;
    const live = await runJob(liveEnv(fake, { FORGEJO_TOKEN: readOnly, KEEP_LAST_N: "1" }));
    expect(live.code).toBe(2);
    const stop = live.lines.find((l) => l.level === "error" && /lacks write:package; every delete would be refused/.test(l.msg));
    // The server's own words: Forgejo v11 (and the fake) say "...scope(s): [write:package]",
    // Gitea 1.27 "...scope(s), required=[write:package], token scope=...".
    expect(stop?.msg).toMatch(/\(403: token does not have at least one of required scope\(s\)[:,] (required=)?\[write:package\]/);
    expect(probeDeletes(fake)).toHaveLength(1);
    expect(versionDeletes(fake)).toEqual([]);
    expect(requests(fake, "GET", "/api/v1/packages/")).toEqual([]);
    // A dry run sends no DELETE, so it cannot tell; it says so instead of guessing.
    fake.requests.length = 0;
    const dry = await runJob(liveEnv(fake, { FORGEJO_TOKEN: readOnly, DRY_RUN: "true", KEEP_LAST_N: "1" }));
    expect(dry.code).toBe(0);
    expect(dry.lines.find((l) => l.msg === "plan totals")?.writeScope).toMatch(/^not verified: a dry run sends no DELETE/);
    expect(planOf(dry.lines, "svc")).toEqual({ c: "keep: newest", b: "delete", a: "delete" });
    expect(mutations(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("a token with write:package passes the probe (404) in a live run; a dry run sends no probe and exits 0 having deleted nothing", async () => {
    const fake = await start();
    await threeTags(fake);
    const writer = await fake.addToken(OWNER, ["write:package", "read:user"]);
    fake.requests.length = 0;
    const dry = await runJob(liveEnv(fake, { FORGEJO_TOKEN: writer, DRY_RUN: "true", KEEP_LAST_N: "1" }));
    expect(dry.code).toBe(0);
    expect(dry.lines.find((l) => l.msg.startsWith("preflight:"))).toMatchObject({
      login: OWNER,
      as: "owner",
      writeScope: expect.stringMatching(/^not verified/),
    });
    expect(mutations(fake)).toEqual([]);
    const live = await runJob(liveEnv(fake, { FORGEJO_TOKEN: writer, KEEP_LAST_N: "1" }));
    expect(live.code).toBe(0);
    const passed = live.lines.find((l) => l.msg.startsWith("preflight:"));
    expect(passed).toMatchObject({ login: OWNER, as: "owner", probed: expect.stringMatching(/^regguard-preflight-[0-9a-f]{32}$/) });
    expect(live.lines.find((l) => l.msg === "plan totals")?.writeScope).toBe("verified");
    expect(probeDeletes(fake)).toEqual([`/api/v1/packages/viktor/container/${String(passed?.probed)}/probe`]);
    // The probe went before the first real delete.
    expect(requests(fake, "DELETE")[0]).toContain("/container/regguard-preflight-");
    expect(names(fake, "svc")).toEqual(["c"]);
  });

  it("TRUE (any case) is a dry run: the full plan, not a single DELETE, PUT, POST or PATCH", async () => {
    const fake = await start();
    await threeTags(fake);
    fake.requests.length = 0;
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "TRUE", KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    expect(planOf(lines, "svc")).toEqual({ c: "keep: newest", b: "delete", a: "delete" });
    expect(lines.some((l) => l.msg === "dry run: nothing deleted" && l.wouldDelete === 2)).toBe(true);
    expect(mutations(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("yes, and true or false with surrounding whitespace, are configuration errors: exit 2 before any request", async () => {
    const fake = await start();
    await threeTags(fake);
    for (const DRY_RUN of ["yes", " false", "false ", "false\n", "\ttrue"]) {
      fake.requests.length = 0;
      const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN, KEEP_LAST_N: "1" }));
      expect(code, JSON.stringify(DRY_RUN)).toBe(2);
      expect(JSON.stringify(lines)).toMatch(/DRY_RUN must be true or false/);
      expect(fake.requests).toEqual([]);
    }
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("a re-push between plan and apply: the package is skipped, the re-pushed tag survives", async () => {
    const fake = await start();
    await threeTags(fake);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }), {
      beforeApply: async () => void (await pushImage(target(fake), "viktor/svc", "a")),
    });
    expect(code).toBe(0);
    expect(lines.some((l) => l.msg.startsWith("package changed since planning") && l.package === "svc")).toBe(true);
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });

  it("the post-apply walk fails the run loudly when a kept image broke during the run", async () => {
    const fake = await start();
    const site = await siteWithOldTag(fake);
    const child = site.children[0]!.digest;
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "0" }), {
      // Someone else deletes a kept child between the plan and the deletes.
      beforeApply: async () => {
        const res = await deleteVersion(fake, "site", child);
        expect(res.status).toBe(204);
      },
    });
    expect(code).toBe(1);
    expect(lines.find((l) => l.msg === "KEPT IMAGE BROKEN AFTER APPLYING")).toMatchObject({
      kind: "child_missing",
      digest: child,
      tag: "latest",
      preExisting: false,
    });
    expect(lines.find((l) => l.msg === "retention finished")?.failures).toEqual(["1 broken reference(s) in kept images"]);
  });

  it("the guard refuses a plan over MAX_DELETE_PERCENT or MAX_DELETES (exit 1, no DELETE); FORCE applies it", async () => {
    const fake = await start();
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
  });

  it("an image broken before the run is reported, not frozen; the live run's walk still fails loudly", async () => {
    const fake = await start();
    const site = await siteWithOldTag(fake);
    const child = site.children[1]!.digest;
    // What the shell retention did: delete a child version behind its index's back.
    const del = await deleteVersion(fake, "site", child);
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
