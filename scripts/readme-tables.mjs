// Regenerates the configuration tables in README.md (and jobs/*/README.md) from the jobs' env
// schemas (run after `pnpm build`): node scripts/readme-tables.mjs
// packages/manifests-check/test/readme.test.ts fails when they drift.
import { readFileSync, writeFileSync } from "node:fs";
import { envTable } from "../packages/job-config/dist/index.js";
import { PROBE_ENV } from "../jobs/integrity-probe/dist/env-schema.js";
import { RETENTION_ENV } from "../jobs/retention/dist/env-schema.js";
import { BREAKGLASS_ENV } from "../jobs/breakglass/dist/env-schema.js";
import { SYNC_ENV } from "../jobs/sync/dist/env-schema.js";

const schemas = { "integrity-probe": PROBE_ENV, retention: RETENTION_ENV, breakglass: BREAKGLASS_ENV, sync: SYNC_ENV };
const file = new URL("../README.md", import.meta.url);
let text = readFileSync(file, "utf8");
for (const [job, schema] of Object.entries(schemas)) {
  const re = new RegExp(`(<!-- env:${job} -->\\n)(?:[\\s\\S]*?\\n)?(<!-- /env:${job} -->)`);
  if (!re.test(text)) throw new Error(`README.md has no <!-- env:${job} --> block`);
  text = text.replace(re, (_m, open, close) => `${open}${envTable(schema)}\n${close}`);
}
writeFileSync(file, text);
// Each job's own README, where it has the env-table markers (jobs/*/test/readme.test.ts).
for (const [job, schema] of Object.entries(schemas)) {
  const own = new URL(`../jobs/${job}/README.md`, import.meta.url);
  const before = readFileSync(own, "utf8");
  const after = before.replace(
    /(<!-- env-table:start[^\n]*-->\n)[\s\S]*?\n(<!-- env-table:end -->)/,
    (_m, open, close) => `${open}${envTable(schema)}\n${close}`,
  );
  if (after !== before) writeFileSync(own, after);
}
console.log("README.md tables regenerated (and the jobs' own env tables)");
