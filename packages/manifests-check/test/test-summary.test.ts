// scripts/test-summary.mjs, the last line of every CI run, on a made-up workspace in a temp dir:
// with CI set a skip fails the run unless .ci/allowed-skips.json names it with a reason, a
// package without its report fails, and an allow-list entry without a reason (or with an empty
// test name, which would match every test of its package) is refused before anything is summed.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTempDir } from "@regguard/testkit";
import { repoRoot } from "../src/index.js";

const tempDir = useTempDir("summary", afterAll);
const SCRIPT = join(repoRoot(), "scripts/test-summary.mjs");

type Result = { fullName: string; status: "passed" | "failed" | "skipped" | "pending" };

/** A workspace of one package, `packages/a`, whose report holds `results`; the script is copied in. */
function workspace(results: Result[] | null, allowed: unknown): string {
  const root = tempDir();
  mkdirSync(join(root, "scripts"));
  mkdirSync(join(root, ".ci"));
  mkdirSync(join(root, "jobs"));
  mkdirSync(join(root, "packages/a"), { recursive: true });
  copyFileSync(SCRIPT, join(root, "scripts/test-summary.mjs"));
  writeFileSync(join(root, ".ci/allowed-skips.json"), JSON.stringify(allowed));
  writeFileSync(join(root, "packages/a/package.json"), JSON.stringify({ name: "a", scripts: { test: "vitest run" } }));
  if (results) {
    const count = (...s: string[]) => results.filter((r) => s.includes(r.status)).length;
    writeFileSync(
      join(root, "packages/a/.vitest-result.json"),
      JSON.stringify({
        numPassedTests: count("passed"),
        numFailedTests: count("failed"),
        numPendingTests: count("skipped", "pending"),
        numTodoTests: 0,
        testResults: [{ status: count("failed") > 0 ? "failed" : "passed", assertionResults: results }],
      }),
    );
  }
  return root;
}

function summary(root: string, ci: string | undefined) {
  const env = { ...process.env };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  const r = spawnSync(process.execPath, [join(root, "scripts/test-summary.mjs")], { encoding: "utf8", env });
  return { status: r.status, last: r.stdout.trim().split("\n").at(-1), err: r.stderr };
}

const passedAndSkipped: Result[] = [
  { fullName: "a works", status: "passed" },
  { fullName: "a against the real server", status: "skipped" },
];
const entry = { package: "packages/a", test: "against the real server", reason: "the server cannot run here" };

describe("scripts/test-summary.mjs", () => {
  it("with CI set, a skip nobody allowed is a failure: exit 1 and the test named", () => {
    const r = summary(workspace(passedAndSkipped, []), "1");
    expect([r.status, r.last]).toEqual([1, "1 passed, 1 failed"]);
    expect(r.err).toContain("packages/a: a against the real server");
  });

  it("with CI set, a skip the allow-list names with its reason passes; without CI a skip only prints", () => {
    expect(summary(workspace(passedAndSkipped, [entry]), "true")).toMatchObject({ status: 0, last: "1 passed, 0 failed" });
    expect(summary(workspace(passedAndSkipped, []), undefined)).toMatchObject({ status: 0, last: "1 passed, 0 failed" });
    expect(summary(workspace(passedAndSkipped, []), "false")).toMatchObject({ status: 0, last: "1 passed, 0 failed" });
  });

  it("an allow-list entry without a reason, or with an empty test name, is refused (exit 2), whatever CI says", () => {
    for (const bad of [
      { ...entry, reason: "" },
      { package: entry.package, test: entry.test },
      { ...entry, test: " " },
    ]) {
      const r = summary(workspace(passedAndSkipped, [bad]), undefined);
      expect(r.status, JSON.stringify(bad)).toBe(2);
      expect(r.err).toContain("every entry needs a non-empty package, test and reason");
    }
  });

  it("a package with a test script and no report fails the run; a failed test counts", () => {
    expect(summary(workspace(null, []), undefined)).toMatchObject({ status: 1, last: "0 passed, 1 failed" });
    const failed = summary(workspace([{ fullName: "a breaks", status: "failed" }, ...passedAndSkipped.slice(0, 1)], []), undefined);
    expect([failed.status, failed.last]).toEqual([1, "1 passed, 1 failed"]);
  });
});
