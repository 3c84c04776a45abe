// The built CLI as the CronJob runs it: `node dist/main.js` in a child
// process. --help, a dry-run plan on stdout, and the exit codes.
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, pushIndex, pushImage, jsonLines } from "@regguard/testkit";
import { RETENTION_ENV } from "../src/env-schema.js";
import { at, liveEnv, startFake, target, versionDeletes, type FakeServer } from "./harness.js";

const MAIN = join(import.meta.dirname, "..", "dist", "main.js");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>, nodeArgs: string[] = []): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("built CLI", () => {
  let fake: FakeServer;
  let tmp: string;
  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run pnpm --filter @regguard/retention... build first`);
    fake = await startFake();
    at(fake, "2024-01-01T00:00:00Z");
    await pushIndex(target(fake), "viktor/site", "latest", { attestations: true });
    at(fake, "2024-05-01T00:00:00Z");
    await pushImage(target(fake), "viktor/site", "old");
    at(fake, "2024-05-02T00:00:00Z");
    await pushImage(target(fake), "viktor/site", "new");
    tmp = join(process.env.TMPDIR ?? "/tmp", `retention-cli-${process.pid}`);
  });
  afterAll(async () => {
    rmSync(`${tmp}-plan.json`, { force: true });
    await fake?.stop();
  });

  it("--help lists every variable and the exit codes, exit 0, no request", async () => {
    const r = await cli(["--help"], {});
    expect(r.code).toBe(0);
    for (const spec of RETENTION_ENV) expect(r.stdout).toContain(spec.name);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it("dry-run prints every version's decision as JSON lines and writes PLAN_FILE; exit 0, no DELETE", async () => {
    const file = `${tmp}-plan.json`;
    const token = fake.user("viktor").token;
    fake.requests.length = 0;
    const r = await cli([], liveEnv(fake, { DRY_RUN: "True", KEEP_LAST_N: "1", PLAN_FILE: file }));
    expect(r.code).toBe(0);
    const plan = jsonLines(r.stdout).filter((l) => l.msg === "plan");
    expect(plan).toHaveLength(7);
    expect(plan.find((l) => l.version === "old")).toMatchObject({ decision: "delete", reason: "delete", package: "site" });
    expect(plan.find((l) => l.version === "latest")).toMatchObject({ decision: "keep", reason: "latest" });
    expect(plan.filter((l) => l.reason === "referenced by latest")).toHaveLength(4);
    expect(r.stdout + r.stderr).not.toContain(token);
    type Written = {
      dryRun: boolean;
      writeScope: { verified: boolean; why: string };
      totals: { delete: number };
      packages: Array<{ name: string; decisions: Array<Record<string, unknown>> }>;
    };
    const written = JSON.parse(readFileSync(file, "utf8")) as Written;
    expect(written).toMatchObject({ dryRun: true, totals: { delete: 1 }, writeScope: { verified: false } });
    expect(written.writeScope.why).toMatch(/^not verified: a dry run sends no DELETE/);
    expect(written.packages[0]?.decisions.find((d) => d.version === "old")).toMatchObject({
      decision: "delete",
      reason: "delete",
      reasonKind: "delete",
      createdAt: "2024-05-01T00:00:00.000Z",
    });
    // Read-only: not even the preflight's probe.
    expect(fake.requests.filter((q) => q.method !== "GET" && q.method !== "HEAD")).toEqual([]);
  });

  it("exit 2 for DRY_RUN=yes (stderr names it) and for another user's token; exit 1 for a tripped guard", async () => {
    const bad = await cli([], liveEnv(fake, { DRY_RUN: "yes" }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/DRY_RUN must be true or false/);
    const stranger = await cli([], liveEnv(fake, { FORGEJO_TOKEN: fake.user("stranger").token }));
    expect(stranger.code).toBe(2);
    expect(stranger.stdout).toMatch(/belongs to stranger/);
    const guard = await cli([], liveEnv(fake, { KEEP_LAST_N: "0", MAX_DELETES: "0" }));
    expect(guard.code).toBe(1);
    expect(versionDeletes(fake)).toEqual([]);
  });

  it("exit 2 when nothing answers at FORGEJO_HOST (connection refused, after the client's retries)", async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const r = await cli([], liveEnv(fake, { FORGEJO_HOST: nowhere, DRY_RUN: "true" }));
    expect(r.code).toBe(2);
    const stop = jsonLines(r.stdout).find((l) => l.level === "error" && String(l.msg).startsWith("cannot ask Forgejo who the token is"));
    expect(stop?.msg).toMatch(/ECONNREFUSED/);
    expect(stop).toMatchObject({ exitCode: 2 });
  });

  it("an unknown flag is a configuration error", async () => {
    const r = await cli(["--keep-last=3"], liveEnv(fake));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown flag --keep-last/);
  });
});

describe("built CLI stopped mid-apply", () => {
  it("SIGTERM while deletes run: no new delete starts, exit 130", async () => {
    const fake = await startFake();
    try {
      for (let i = 1; i <= 8; i++) {
        at(fake, `2024-05-${String(i).padStart(2, "0")}T00:00:00Z`);
        await pushImage(target(fake), "viktor/stop", `v${i}`);
      }
      const child = spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? "", ...liveEnv(fake, { KEEP_LAST_N: "1", CONCURRENCY: "1" }) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let signalled: () => void = () => undefined;
      const received = new Promise<void>((resolve) => (signalled = resolve));
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes("received SIGTERM, stopping")) signalled();
      });
      // The first version DELETE waits here while the job is told to stop, as a CronJob's pod is
      // when the node drains; it is answered once the job says it got the signal.
      fake.beforeNext({ method: "DELETE", pathIncludes: "/container/stop/" }, async () => {
        child.kill("SIGTERM");
        await received;
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      expect(code).toBe(130);
      // Seven versions were planned for deletion; only the one in flight at the signal was sent.
      expect(versionDeletes(fake)).toHaveLength(1);
      expect(jsonLines(stdout).some((l) => /stopped by SIGTERM/.test(String(l.msg)) || /stopped by SIGTERM/.test(String(l.error)))).toBe(true);
    } finally {
      await fake.stop();
    }
  });
  // Nothing Forgejo does makes run() throw (that is its design), so a module preloaded with --import
  // stands in for a bug. Exit 1 would read as "a delete failed or the guard tripped" (issue 13).
  it("an internal error exits 3, never 1, and says it is a bug", async () => {
    const own = await startFake();
    let r: Result;
    try {
      r = await cli([], liveEnv(own, { DRY_RUN: "true" }), [
        "--import",
        `data:text/javascript,Date.now = () => { throw new Error("clock broken by the test"); };`,
      ]);
    } finally {
      await own.stop();
    }
    expect(r.code).toBe(3);
    const line = jsonLines(r.stdout).find((l) => l.msg === "internal error: this is a bug, please report it");
    expect(String(line?.error)).toContain("clock broken by the test");
  });
});
