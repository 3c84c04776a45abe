// What a run says about itself, asserted line by line (issue 16: these lines of src/run.ts
// survived the mutation run): the starting and finished lines, PLAN_FILE written or refused, the
// post-apply verification's own line, and IN_USE=kubernetes against a cluster that cannot be
// reached at all (a closed loopback port, so in-use.test.ts's kube-apiserver is not needed).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, pushImage, useTempDir } from "@regguard/testkit";
import { at, liveEnv, mutations, runJob, startFake, target, type FakeServer, type LogLine } from "./harness.js";

const line = (lines: LogLine[], msg: string) => lines.find((l) => l.msg === msg);

describe("a run's own report", () => {
  const tempDir = useTempDir("retention-report", afterAll);
  let fake: FakeServer;
  beforeAll(async () => {
    fake = await startFake();
    for (const [i, tag] of ["r1", "r2", "r3"].entries()) {
      at(fake, `2024-05-0${i + 1}T00:00:00Z`);
      await pushImage(target(fake), "viktor/report", tag);
    }
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it("starts by saying what it will do and ends with its exit code and failures", async () => {
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "true", KEEP_LAST_N: "2", KEEP_TAGS: "^r1$" }));
    expect(code).toBe(0);
    expect(line(lines, "retention starting")).toMatchObject({ owner: "viktor", dryRun: true, keepLastN: 2, keepTags: "^r1$", inUse: "off" });
    expect(line(lines, "retention finished")).toMatchObject({ exitCode: 0, dryRun: true, failures: [] });
  });

  it("PLAN_FILE is written and said so; one that cannot be written fails the run with the reason", async () => {
    const file = join(tempDir(), "plan.json");
    const ok = await runJob(liveEnv(fake, { DRY_RUN: "true", KEEP_LAST_N: "1", PLAN_FILE: file }));
    expect([ok.code, line(ok.lines, "plan written")?.file]).toEqual([0, file]);
    const nowhere = join(tempDir(), "no-such-dir", "plan.json");
    const bad = await runJob(liveEnv(fake, { DRY_RUN: "true", KEEP_LAST_N: "1", PLAN_FILE: nowhere }));
    expect(bad.code).toBe(1);
    expect(line(bad.lines, "plan written")).toBeUndefined();
    const finished = line(bad.lines, "retention finished");
    expect(finished?.exitCode).toBe(1);
    expect(String((finished?.failures as string[])[0])).toMatch(new RegExp(`^cannot write PLAN_FILE ${nowhere}: `));
    expect(bad.lines.some((l) => l.level === "error" && l.msg.startsWith(`cannot write PLAN_FILE ${nowhere}`))).toBe(true);
  });

  it("a live run reports the kept tags it walked after applying", async () => {
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "2" }));
    expect(code).toBe(0);
    expect(line(lines, "verified kept tags")).toMatchObject({ tags: 2, findings: 0, unverified: 0 });
    expect(line(lines, "retention finished")).toMatchObject({ exitCode: 0, dryRun: false, failures: [] });
  });
});

describe("IN_USE=kubernetes with a cluster nobody answers for", () => {
  const tempDir = useTempDir("retention-kube", afterAll);
  let fake: FakeServer;
  let kubeconfig: string;
  beforeAll(async () => {
    fake = await startFake();
    for (const [i, tag] of ["k1", "k2"].entries()) {
      at(fake, `2024-05-0${i + 1}T00:00:00Z`);
      await pushImage(target(fake), "viktor/unseen", tag);
    }
    // A port that was free a moment ago and that nothing listens on: connection refused.
    const server = `https://127.0.0.1:${await freePort()}`;
    kubeconfig = join(tempDir(), "kubeconfig");
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "gone", cluster: { server, "insecure-skip-tls-verify": true } }],
        users: [{ name: "u", user: { token: "not-a-real-token" } }],
        contexts: [{ name: "gone", context: { cluster: "gone", user: "u" } }],
        "current-context": "gone",
      }),
    );
  });
  afterAll(async () => {
    await fake?.stop();
  });
  const env = (extra: Record<string, string>) => liveEnv(fake, { IN_USE: "kubernetes", KUBECONFIG: kubeconfig, KEEP_LAST_N: "0", ...extra });

  it("a live run asks Forgejo nothing, deletes nothing and exits 2, saying why", async () => {
    fake.requests.length = 0;
    const { code, lines } = await runJob(env({}));
    expect(code).toBe(2);
    expect(fake.requests).toEqual([]);
    const stop = lines.find((l) => l.level === "error");
    expect(stop?.code).toBe("RETENTION_IN_USE_UNKNOWN");
    expect(String(stop?.msg)).toMatch(
      /^IN_USE=kubernetes, but the workloads could not all be listed \(KUBE_[A-Z_]+\): .+; what the cluster runs is unknown, so nothing is deleted/,
    );
  });

  it("a dry run warns that it plans without the cluster, and still plans", async () => {
    fake.requests.length = 0;
    const { code, lines } = await runJob(env({ DRY_RUN: "true" }));
    expect(code).toBe(0);
    const warn = lines.find(
      (l) => l.level === "warn" && l.msg.startsWith("DRY RUN WITHOUT THE CLUSTER: IN_USE=kubernetes, but the workloads could not all be listed"),
    );
    expect(warn?.msg).toMatch(/a live run would delete nothing and exit 2$/);
    expect(line(lines, "plan totals")).toMatchObject({ inUse: "unknown" });
    expect(mutations(fake)).toEqual([]);
  });
});
