// Sums vitest's JSON reports across the workspace into one line, so a run
// that tested nothing (or lost a package's suite) is visible at a glance.
// With CI set, a skipped test fails the run unless .ci/allowed-skips.json
// names it with its reason: a server that did not start, a daemon that is
// missing or a build that is absent must not turn a run green (issue 16).
import { readFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
const skippedTests = [];
const allowed = JSON.parse(readFileSync(join(root, ".ci/allowed-skips.json"), "utf8"));
// An entry allows a skip only with all three fields: an empty `test` would match every test of
// its package (names are matched by substring), and an entry without a reason explains nothing.
const badEntries = (Array.isArray(allowed) ? allowed : [allowed]).filter(
  (a) => !["package", "test", "reason"].every((k) => typeof a?.[k] === "string" && a[k].trim() !== ""),
);
if (!Array.isArray(allowed) || badEntries.length > 0) {
  console.error(`.ci/allowed-skips.json: every entry needs a non-empty package, test and reason; refused:\n${JSON.stringify(badEntries, null, 2)}`);
  process.exit(2);
}
const inCI = !["", "0", "false"].includes((process.env.CI ?? "").trim().toLowerCase());
// Every workspace package with a test script must have left a report.
const dirs = [...["packages", "jobs"].flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`)), "images"];
for (const rel of dirs) {
  {
    const dir = join(root, rel);
    if (!existsSync(join(dir, "package.json"))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (!pkg.scripts?.test) continue;
    const file = join(dir, ".vitest-result.json");
    if (!existsSync(file)) {
      missing.push(rel);
      continue;
    }
    const report = JSON.parse(readFileSync(file, "utf8"));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A suite that failed to load has no tests but is still a failure.
    for (const suite of report.testResults ?? []) {
      if (suite.status === "failed" && (suite.assertionResults ?? []).length === 0) failed += 1;
      for (const t of suite.assertionResults ?? []) {
        if (["pending", "skipped", "todo"].includes(t.status)) skippedTests.push({ pkg: rel, name: t.fullName ?? t.title });
      }
    }
  }
}
if (missing.length > 0) {
  console.error(`no test report from: ${missing.join(", ")}`);
  failed += missing.length;
}
if (skipped > 0) console.error(`${skipped} skipped (each prints its reason in the log above)`);
const unexplained = skippedTests.filter((t) => !allowed.some((a) => a.package === t.pkg && t.name.includes(a.test)));
if (inCI && unexplained.length > 0) {
  console.error(
    `CI is set and these tests were skipped without an entry in .ci/allowed-skips.json:\n${unexplained.map((t) => `  ${t.pkg}: ${t.name}`).join("\n")}`,
  );
  failed += unexplained.length;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
