// Regenerates the configuration tables in README.md from the jobs' env
// schemas (run after `pnpm build`): node scripts/readme-tables.mjs
// packages/manifests-check/test/readme.test.ts fails when they drift.
import { readFileSync, writeFileSync } from "node:fs";
import { envTable } from "../packages/job-config/dist/index.js";
import { PROBE_ENV } from "../jobs/integrity-probe/dist/env-schema.js";
import { RETENTION_ENV } from "../jobs/retention/dist/env-schema.js";
import { BREAKGLASS_ENV } from "../jobs/breakglass/dist/env-schema.js";

const schemas = { "integrity-probe": PROBE_ENV, retention: RETENTION_ENV, breakglass: BREAKGLASS_ENV };
const file = new URL("../README.md", import.meta.url);
let text = readFileSync(file, "utf8");
for (const [job, schema] of Object.entries(schemas)) {
  const re = new RegExp(`(<!-- env:${job} -->\\n)(?:[\\s\\S]*?\\n)?(<!-- /env:${job} -->)`);
  if (!re.test(text)) throw new Error(`README.md has no <!-- env:${job} --> block`);
  text = text.replace(re, (_m, open, close) => `${open}${envTable(schema)}\n${close}`);
}
writeFileSync(file, text);
console.log("README.md tables regenerated");
