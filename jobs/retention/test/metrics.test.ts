// Run metrics pushed to a real Pushgateway (Debian prometheus-pushgateway),
// replacing the group each run so nothing from an earlier run lingers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBinary, pushImage, startCountingProxy, startPushgateway, type StartedPushgateway } from "@regguard/testkit";
import { at, deleteVersion, liveEnv, runJob, startFake, target, type FakeServer } from "./harness.js";

const missing = !hasBinary("prometheus-pushgateway");
if (missing) console.warn("skipping Pushgateway metrics tests: prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)");

describe.skipIf(missing)("Pushgateway metrics", () => {
  let fake: FakeServer;
  let gw: StartedPushgateway;
  beforeAll(async () => {
    [fake, gw] = await Promise.all([startFake(), startPushgateway()]);
    for (const [i, tag] of ["a", "b", "c"].entries()) {
      at(fake, `2024-05-0${i + 1}T00:00:00Z`);
      await pushImage(target(fake), "viktor/svc", tag);
    }
  });
  afterAll(async () => {
    await Promise.all([fake?.stop(), gw?.stop()]);
  });

  const values = async () =>
    Object.fromEntries((await gw.series()).filter((s) => s.labels.job === "forgejo-retention" && s.labels.owner === "viktor").map((s) => [s.name, s.value]));

  it("a dry run pushes what it saw and would delete; a live run replaces it with what it did", async () => {
    const env = liveEnv(fake, { KEEP_LAST_N: "1", PUSHGATEWAY_URL: gw.url });
    expect((await runJob({ ...env, DRY_RUN: "true" })).code).toBe(0);
    expect(await values()).toMatchObject({
      forgejo_retention_versions_seen: 3,
      forgejo_retention_versions_kept: 1,
      forgejo_retention_versions_planned_delete: 2,
      forgejo_retention_versions_deleted: 0,
      forgejo_retention_dry_run: 1,
      forgejo_retention_exit_code: 0,
    });
    const before = (await values()).forgejo_retention_last_run_timestamp_seconds ?? 0;
    expect(before).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(before).toBeLessThanOrEqual(Date.now() / 1000);
    expect((await runJob(env)).code).toBe(0);
    expect(await values()).toMatchObject({
      forgejo_retention_versions_deleted: 2,
      forgejo_retention_versions_failed: 0,
      forgejo_retention_dry_run: 0,
      forgejo_retention_broken_references: 0,
      forgejo_retention_exit_code: 0,
      regguard_build_info: 1,
    });
    expect((await gw.series()).find((s) => s.name === "regguard_build_info" && s.labels.owner === "viktor")?.labels).toMatchObject({
      job: "forgejo-retention",
      version: "0.1.0",
    });
  });

  it("the guard's verdict, and a version deleted behind the job's back, are in the gauges", async () => {
    // Its own server: these versions must not change the other cases' counts.
    const own = await startFake();
    try {
      for (const [i, tag] of ["g1", "g2", "g3", "g4"].entries()) {
        at(own, `2024-05-0${i + 1}T00:00:00Z`);
        await pushImage(target(own), "viktor/guarded", tag);
      }
      const tripped = await runJob(liveEnv(own, { PUSHGATEWAY_URL: gw.url, KEEP_LAST_N: "1", MAX_DELETES: "2" }));
      expect(tripped.code).toBe(1);
      expect(tripped.lines.find((l) => l.msg === "retention finished")?.failures).toEqual(["guard tripped: nothing applied"]);
      expect(await values()).toMatchObject({ forgejo_retention_guard_tripped: 1, forgejo_retention_versions_deleted: 0, forgejo_retention_exit_code: 1 });
      // g1 goes between planning and applying: already gone when its turn comes, and counted as deleted.
      const gone = async () => void (await deleteVersion(own, "guarded", "g1"));
      const r = await runJob(liveEnv(own, { PUSHGATEWAY_URL: gw.url, KEEP_LAST_N: "1" }), { beforeApply: gone });
      expect(r.code).toBe(0);
      expect(r.lines.find((l) => l.msg === "applied")).toMatchObject({ deleted: 2, "already-gone": 1, skipped: 0, "not-attempted": 0 });
      expect(await values()).toMatchObject({
        forgejo_retention_guard_tripped: 0,
        forgejo_retention_versions_planned_delete: 3,
        forgejo_retention_versions_deleted: 3,
        forgejo_retention_exit_code: 0,
      });
    } finally {
      await own.stop();
    }
  });

  it("a run stopped by the preflight still reports, with exit code 2", async () => {
    const env = liveEnv(fake, { PUSHGATEWAY_URL: gw.url, FORGEJO_TOKEN: fake.user("stranger").token });
    expect((await runJob(env)).code).toBe(2);
    expect(await values()).toMatchObject({ forgejo_retention_exit_code: 2, forgejo_retention_versions_seen: 0, forgejo_retention_guard_tripped: 0 });
  });

  it("a /v2 that answers 500 while the run verifies counts as unverified, never as broken", async () => {
    // Its own server: the outage must not outlive the case.
    const down = await startFake();
    try {
      await pushImage(target(down), "viktor/svc", "a");
      const outage = async () => down.failNext({ method: "GET", pathIncludes: "/v2/viktor/" }, { status: 500, body: "boom" }, 10_000);
      expect((await runJob(liveEnv(down, { PUSHGATEWAY_URL: gw.url }), { beforeApply: outage })).code).toBe(1);
      const v = await values();
      expect(v).toMatchObject({ forgejo_retention_broken_references: 0, forgejo_retention_versions_deleted: 0, forgejo_retention_exit_code: 1 });
      expect(v.forgejo_retention_unverified_references).toBeGreaterThan(0);
    } finally {
      await down.stop();
    }
  });

  it("a Pushgateway that answers 503 once gets the metrics on the retry (the pushgateway package's schedule, as the probe's)", async () => {
    const proxy = await startCountingProxy(gw.url);
    try {
      proxy.rules.failNext({ method: "PUT", pathIncludes: "/metrics/job/forgejo-retention/owner/viktor" }, { status: 503, body: "starting" });
      const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "true", PUSHGATEWAY_URL: proxy.url, KEEP_LAST_N: "2" }));
      expect(code).toBe(0);
      expect(proxy.requests.filter((r) => r.method === "PUT")).toHaveLength(2);
      expect(lines.some((l) => l.msg === "metrics push attempt failed; retrying")).toBe(true);
      expect(lines.some((l) => l.msg === "could not push metrics")).toBe(false);
      expect(await values()).toMatchObject({ forgejo_retention_dry_run: 1, forgejo_retention_exit_code: 0 });
    } finally {
      await proxy.stop();
    }
  });

  it("an unreachable Pushgateway is a warning, not a failed run", async () => {
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "true", PUSHGATEWAY_URL: "http://127.0.0.1:9" }));
    expect(code).toBe(0);
    expect(lines.some((l) => l.level === "warn" && l.msg === "could not push metrics")).toBe(true);
  });
});
