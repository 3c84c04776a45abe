#!/usr/bin/env node
// `pnpm test:mutation [oci-client|image-archive|retention|breakglass|sync ...]`: StrykerJS over the safety-critical
// modules of each package (its stryker.config.mjs; shared settings in stryker.base.mjs), then
// one table: the mutation score per module against the 85% target (issue 16). Not part of CI:
// a full cold run takes about an hour on two cores; an incremental rerun only the changed code.
//
// Exit 0 when every module meets the target, 1 when one does not, 2 when a run could not start.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TARGET = 85;
const PACKAGES = {
  "oci-client": "packages/oci-client",
  "image-archive": "packages/image-archive",
  retention: "jobs/retention",
  breakglass: "jobs/breakglass",
  sync: "jobs/sync",
};

const asked = process.argv.slice(2);
for (const name of asked) {
  if (!(name in PACKAGES)) {
    console.error(`unknown package "${name}": one of ${Object.keys(PACKAGES).join(", ")}`);
    process.exit(2);
  }
}
const names = asked.length > 0 ? asked : Object.keys(PACKAGES);

// Stryker mutates in place (stryker.base.mjs says why): uncommitted edits there would be mixed
// with its instrumented copies if the run were killed -9, so ask for a clean tree first.
const dirty = spawnSync("git", ["status", "--porcelain", "--", ...names.map((n) => `${PACKAGES[n]}/src`)], { cwd: ROOT, encoding: "utf8" });
if (dirty.stdout.trim() !== "") {
  console.error(`uncommitted changes in the mutated sources; commit or stash them first:\n${dirty.stdout}`);
  process.exit(2);
}

const stryker = join(ROOT, "node_modules/.bin/stryker");
const rows = [];
for (const name of names) {
  const dir = join(ROOT, PACKAGES[name]);
  const started = Date.now();
  console.log(`\n== ${name}: stryker run (${dir})`);
  const run = spawnSync(stryker, ["run"], { cwd: dir, stdio: "inherit" });
  const seconds = Math.round((Date.now() - started) / 1000);
  const report = join(dir, ".stryker/mutation.json");
  if (run.status !== 0 || !existsSync(report)) {
    console.error(`${name}: stryker exited ${run.status ?? run.signal}; no report`);
    process.exit(2);
  }
  for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, "utf8")).files)) {
    const count = (s) => mutants.filter((m) => m.status === s).length;
    const killed = count("Killed") + count("Timeout");
    const missed = count("Survived") + count("NoCoverage");
    const score = killed + missed === 0 ? 100 : (100 * killed) / (killed + missed);
    rows.push({ module: `${name}/${file}`, killed, survived: count("Survived"), noCoverage: count("NoCoverage"), score, seconds });
  }
}

console.log(`\nmutation score per module (killed or timed out / killed + survived + no coverage; target ${TARGET}%)`);
for (const r of rows) {
  const mark = r.score >= TARGET ? "ok  " : "LOW ";
  console.log(`${mark}${r.score.toFixed(1).padStart(5)}%  ${r.module.padEnd(40)} killed ${r.killed}, survived ${r.survived}, no coverage ${r.noCoverage}`);
}
console.log(`per package wall time: ${[...new Set(names)].map((n) => `${n} ${rows.find((r) => r.module.startsWith(`${n}/`))?.seconds ?? "?"} s`).join(", ")}`);
console.log("survivors with file and line: the clear-text report above, or .stryker/mutation.json in each package");
process.exit(rows.every((r) => r.score >= TARGET) ? 0 : 1);
