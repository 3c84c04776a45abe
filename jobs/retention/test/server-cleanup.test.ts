// What the server's own package cleanup (the `cleanup_packages` cron, with OLDER_THAN=0s and no
// per-owner rules) does to what retention keeps: an untagged attestation child of a kept index,
// a cosign `.sig` tag, and the untagged children of the previous `latest` index. Real server only
// (the fake has no cron). docs/runbooks/retention.md says which settings the cluster uses.
import { describe, expect, it } from "vitest";
import { forgejoBuild, pushImage, pushIndex, realReplayMissingReason, skipReasonOutsideCI, startRealReplayServer } from "@regguard/testkit";
import { liveEnv, OWNER, planOf, runJob, target } from "./harness.js";

const build = forgejoBuild();
const skip = skipReasonOutsideCI(`the server cleanup test on real ${build.label}`, realReplayMissingReason());

describe.skipIf(skip !== undefined)(`the cleanup_packages cron of real ${build.label} against what retention keeps`, () => {
  it("runs the cron on demand and compares what is left with retention's plan", async () => {
    const s = await startRealReplayServer({ users: [{ login: OWNER }] }, { cleanupPackages: { olderThan: "0s" } });
    try {
      s.setNow(new Date("2024-05-01T00:00:00Z"));
      const old = await pushIndex(target(s), "viktor/site", "latest", { attestations: true, seed: "cleanup-old" });
      s.setNow(new Date("2024-05-20T00:00:00Z"));
      const cur = await pushIndex(target(s), "viktor/site", "latest", { attestations: true, seed: "cleanup-new" });
      const signed = await pushImage(target(s), "viktor/site", `sha256-${cur.digest.slice(7)}.sig`, { seed: "cleanup-sig" });
      s.settle?.();
      const before = s
        .versions(OWNER, "site")
        .map((v) => v.version)
        .sort();
      const oldChildren = [...old.children, ...old.attestations].map((c) => c.digest);
      const curChildren = [...cur.children, ...cur.attestations].map((c) => c.digest);
      expect(before).toEqual(["latest", `sha256-${cur.digest.slice(7)}.sig`, ...oldChildren, ...curChildren].sort());

      // The admin API runs a registered cron task now (routers/api/v1/admin/cron.go); wait until
      // its run count moves, so "nothing was removed" cannot mean "it never ran".
      const admin = { authorization: `token ${s.server.admin.token}` };
      const runs = async (): Promise<number> => {
        const res = await fetch(`${s.server.url}/api/v1/admin/cron?limit=50`, { headers: admin });
        const tasks = (await res.json()) as Array<{ name: string; exec_times: number }>;
        return tasks.find((t) => t.name === "cleanup_packages")?.exec_times ?? -1;
      };
      const n = await runs();
      expect(n).toBeGreaterThanOrEqual(0);
      expect((await fetch(`${s.server.url}/api/v1/admin/cron/cleanup_packages`, { method: "POST", headers: admin })).status).toBe(204);
      for (let i = 0; i < 100 && (await runs()) === n; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await runs()).toBe(n + 1);

      const after = s
        .versions(OWNER, "site")
        .map((v) => v.version)
        .sort();
      if (build.flavour === "gitea") {
        // Gitea 1.27's cron (services/packages/cleanup/cleanup.go, CleanupExpiredData) removes
        // expired uploads and unreferenced blobs and, without per-owner rules, no version at all.
        expect(after).toEqual(before);
      } else {
        // Forgejo (v9+) also runs CleanupSHA256 (services/packages/container/cleanup_sha256.go):
        // every sha256: version no tagged index references, older than OLDER_THAN, goes.
        expect(after).toEqual(["latest", `sha256-${cur.digest.slice(7)}.sig`, ...curChildren].sort());
      }
      // Retention's plan for the same state: the current index, its children and its signature kept;
      // the previous index's children are untagged, unreferenced and past UNTAGGED_GRACE.
      const { code, lines } = await runJob(liveEnv(s, { DRY_RUN: "true" }));
      expect(code).toBe(0);
      const plan = planOf(lines, "site");
      expect(plan.latest).toBe("keep: latest");
      for (const c of curChildren) expect(plan[c]).toBe("keep: referenced by latest");
      expect(plan[`sha256-${cur.digest.slice(7)}.sig`]).toMatch(/^keep: /);
      if (build.flavour === "gitea") for (const c of oldChildren) expect(plan[c]).toBe("delete");
      expect(signed.digest).toMatch(/^sha256:/);
    } finally {
      await s.stop();
    }
  });
});
