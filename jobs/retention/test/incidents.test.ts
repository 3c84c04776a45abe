// Incident replays end to end: real pushes into the Forgejo fake and into the pinned real
// server (the same body and assertions for both), the job run live, then what is left and the
// integrity walk over everything left.
import { afterEach, describe, expect, it } from "vitest";
import { pushImage, pushIndex, pushManifest, type ReplayServer } from "@regguard/testkit";
import { at, brokenReferences, liveEnv, names, planOf, REPLAY_TARGETS, requests, runJob, target } from "./harness.js";

let fake: ReplayServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const day = (d: number, h = 10) => `2024-05-${String(d).padStart(2, "0")}T${String(h).padStart(2, "0")}:00:00Z`;

describe.each(REPLAY_TARGETS)("incident replays on $name", ({ start, skip }) => {
  const startFake = async (): Promise<ReplayServer> => (fake = await start());
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);

  it("kms-website: a kept multi-arch tag whose children are older than the window keeps its children", async () => {
    const fake = await startFake();
    at(fake, "2024-03-01T10:00:00Z");
    const site = await pushIndex(target(fake), "viktor/kms-website", "latest", { attestations: true });
    for (let i = 1; i <= 12; i++) {
      at(fake, day(i));
      await pushImage(target(fake), "viktor/kms-website", `pr-${i}`);
    }
    const { code, lines } = await runJob(liveEnv(fake));
    expect(code).toBe(0);
    const children = [...site.children, ...site.attestations].map((c) => c.digest);
    const plan = planOf(lines, "kms-website");
    for (const c of children) expect(plan[c]).toBe("keep: referenced by latest");
    expect(plan["pr-1"]).toBe("delete");
    expect(names(fake, "kms-website")).toEqual(["latest", ...Array.from({ length: 10 }, (_, i) => `pr-${i + 3}`), ...children].sort());
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("latest pointing at an old index keeps that index's children; a newer dropped index loses its own", async () => {
    const fake = await startFake();
    at(fake, "2023-01-01T00:00:00Z");
    const old = await pushIndex(target(fake), "viktor/blog", "latest");
    at(fake, day(1));
    const v2 = await pushIndex(target(fake), "viktor/blog", "v2");
    at(fake, day(2));
    await pushImage(target(fake), "viktor/blog", "v3");
    const { code } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    const left = names(fake, "blog");
    expect(left).toEqual(["latest", "v3", ...old.children.map((c) => c.digest)].sort());
    for (const c of v2.children) expect(left).not.toContain(c.digest);
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("two tags share one index: the older tag is deleted, the children stay for the other", async () => {
    const fake = await startFake();
    at(fake, day(1));
    const idx = await pushIndex(target(fake), "viktor/api", "build-100");
    at(fake, day(2));
    await pushImage(target(fake), "viktor/api", "build-101");
    at(fake, day(3));
    await pushManifest(target(fake), "viktor/api", "stable", idx.mediaType, idx.manifest);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "2" }));
    expect(code).toBe(0);
    expect(planOf(lines, "api")["build-100"]).toBe("delete");
    expect(names(fake, "api")).toEqual(["build-101", "stable", ...idx.children.map((c) => c.digest)].sort());
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("an index built from per-arch tags keeps those tags, even outside the newest window", async () => {
    const fake = await startFake();
    at(fake, day(1));
    await pushIndex(target(fake), "viktor/tools", "v1", { childTags: true });
    at(fake, day(2));
    await pushIndex(target(fake), "viktor/tools", "v2", { childTags: true });
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    const plan = planOf(lines, "tools");
    expect(plan).toMatchObject({
      v2: "keep: newest",
      "v2-amd64": "keep: referenced by v2",
      "v2-arm64": "keep: referenced by v2",
      v1: "delete",
      "v1-amd64": "delete",
    });
    expect(names(fake, "tools")).toEqual(["v2", "v2-amd64", "v2-arm64"]);
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("buildx attestation children live and die with their index", async () => {
    const fake = await startFake();
    at(fake, day(1));
    const gone = await pushIndex(target(fake), "viktor/app", "main-1", { attestations: true, platforms: ["linux/amd64"] });
    at(fake, day(2));
    const kept = await pushIndex(target(fake), "viktor/app", "main-2", { attestations: true, platforms: ["linux/amd64"] });
    const { code } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    const left = names(fake, "app");
    expect(left).toEqual(["main-2", ...kept.children.map((c) => c.digest), ...kept.attestations.map((a) => a.digest)].sort());
    for (const a of gone.attestations) expect(left).not.toContain(a.digest);
    expect(await brokenReferences(fake)).toEqual([]);
  });

  it("120 versions over three pages: all are seen, the newest 10 stay", async () => {
    const fake = await startFake();
    const base = Date.parse("2024-01-01T00:00:00Z");
    const push = (i: number) => pushImage(target(fake), "viktor/many", `b${String(i).padStart(3, "0")}`, { layerSize: 16 });
    // The 110 that go share one older hour and are pushed eight at a time; the 10 that stay get
    // an hour each after it, so "newest" is never a tie.
    fake.setNow(new Date(base));
    for (let i = 0; i < 110; i += 8) await Promise.all(Array.from({ length: Math.min(8, 110 - i) }, (_, j) => push(i + j)));
    for (let i = 110; i < 120; i++) {
      fake.setNow(new Date(base + (i - 109) * 3_600_000));
      await push(i);
    }
    const { code, lines } = await runJob(liveEnv(fake));
    expect(code).toBe(0);
    expect(lines.filter((l) => l.msg === "plan")).toHaveLength(120);
    expect(requests(fake, "GET", "/api/v1/packages/viktor?").some((p) => /[?&]page=3(&|$)/.test(p))).toBe(true);
    expect(names(fake, "many")).toEqual(Array.from({ length: 10 }, (_, i) => `b${110 + i}`));
  });

  it("a package name with / is listed, planned and deleted through %2F", async () => {
    const fake = await startFake();
    at(fake, day(1));
    await pushIndex(target(fake), "viktor/team/app", "old");
    at(fake, day(2));
    const cur = await pushIndex(target(fake), "viktor/team/app", "new");
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(0);
    expect(planOf(lines, "team/app").old).toBe("delete");
    expect(requests(fake, "DELETE", "/api/v1/packages/viktor/container/team%2Fapp/old")).toHaveLength(1);
    expect(names(fake, "team/app")).toEqual(["new", ...cur.children.map((c) => c.digest)].sort());
    expect(await brokenReferences(fake)).toEqual([]);
  });
});
