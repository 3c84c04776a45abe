// Sums vitest's JSON reports across the workspace into one line, so a run
// that tested nothing (or lost a package's suite) is visible at a glance.
import { readFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
// Every workspace package with a test script must have left a report.
const dirs = [
  ...["packages", "jobs"].flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`)),
  "images",
];
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
    }
  }
}
if (missing.length > 0) {
  console.error(`no test report from: ${missing.join(", ")}`);
  failed += missing.length;
}
if (skipped > 0) console.error(`${skipped} skipped (each prints its reason in the log above)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
