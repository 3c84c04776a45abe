// Every incident fixture once more, end to end: pushed into the Forgejo fake as real manifests
// (fixture-replay.ts), the job run live, the plan compared with expected.json, then what is left
// on the server and the integrity walk over it. fixtures.test.ts checks the planner on the
// hand-built graph; this checks that the job reads the same graph from a server (issue 16).
import { afterEach, describe, expect, it } from "vitest";
import type { ReplayServer } from "@regguard/testkit";
import { brokenReferences, liveEnv, names, planOf, REPLAY_TARGETS, runJob } from "./harness.js";
import { fixtureNames } from "./fixture-loader.js";
import { replayFixture } from "./fixture-replay.js";

let fake: ReplayServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

// A fixture the replay cannot make for real, and why.
const NOT_REPLAYABLE: Record<string, string> = {
  "name-lies": "it needs a version named sha256:X that holds other bytes; the test kit's pushes check the digest the server computes",
};

const MANIFEST_UNKNOWN = { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };

describe.each(REPLAY_TARGETS)("fixtures pushed for real into $name, run live", ({ start, skip }) => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);

  it.each(fixtureNames().filter((n) => !(n in NOT_REPLAYABLE)))(
    "%s: plans as expected.json says, deletes exactly that, and leaves every kept image whole",
    async (name) => {
      fake = await start();
      const { seed, expected, hexOf } = await replayFixture(fake, name);
      const before = await brokenReferences(fake);
      const reference = (r: string) => r.replace(/\{([^{}"\s]+)\}/g, (_, n: string) => hexOf(n));
      for (const r of seed.errors ?? []) fake.failNext({ method: "GET", pathIncludes: `/manifests/${reference(r)}` }, { status: 500, body: "boom" }, 100);
      for (const r of seed.missing ?? []) fake.failNext({ method: "GET", pathIncludes: `/manifests/${reference(r)}` }, MANIFEST_UNKNOWN, 100);

      const { code, lines } = await runJob(
        liveEnv(fake, { KEEP_LAST_N: String(seed.rules.keepLastN), KEEP_TAGS: seed.rules.keepTags, UNTAGGED_GRACE: seed.rules.untaggedGrace }),
        {
          now: () => Date.parse(seed.now),
        },
      );

      const plan = planOf(lines, seed.package);
      const kept: Record<string, string> = {};
      for (const [v, d] of Object.entries(plan)) if (d.startsWith("keep: ")) kept[v] = d.slice("keep: ".length);
      for (const [v, reason] of Object.entries(kept)) if (reason.startsWith("frozen") && expected.kept[v] === "frozen") kept[v] = "frozen";
      expect(kept).toEqual(expected.kept);
      expect(
        Object.keys(plan)
          .filter((v) => plan[v] === "delete")
          .sort(),
      ).toEqual([...expected.deleted].sort());
      expect(lines.some((l) => l.msg === "package frozen: nothing in it will be deleted")).toBe(expected.frozen ?? false);
      const broken = lines.filter((l) => l.msg === "kept image is already broken (not caused by this run)").map((l) => l.target);
      expect(broken.sort()).toEqual([...(expected.broken ?? [])].sort());
      // A frozen package, or a kept image found broken by the post-apply walk, fails the run.
      const failed = (expected.frozen ?? false) || (expected.broken ?? []).length > 0;
      expect(code, JSON.stringify(lines.filter((l) => l.level === "error"))).toBe(failed ? 1 : 0);

      // What the server still holds is the kept set, and the run broke nothing that was whole.
      expect(names(fake, seed.package)).toEqual(Object.keys(expected.kept).sort());
      if ((seed.errors ?? []).length === 0) expect(await brokenReferences(fake)).toEqual(before);
      expect(before.map((f) => f.digest).sort()).toEqual([...(expected.broken ?? [])].sort());
    },
  );
});
