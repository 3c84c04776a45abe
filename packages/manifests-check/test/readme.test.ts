// The README's configuration tables are generated from the jobs' env
// schemas (scripts/readme-tables.mjs); this fails when they drift.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envTable, type EnvSchema } from "@regguard/job-config";
import { PROBE_ENV } from "@regguard/integrity-probe/env-schema";
import { RETENTION_ENV } from "@regguard/retention/env-schema";
import { BREAKGLASS_ENV } from "@regguard/breakglass/env-schema";
import { SYNC_ENV } from "@regguard/sync/env-schema";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const schemas: Record<string, EnvSchema> = { "integrity-probe": PROBE_ENV, retention: RETENTION_ENV, breakglass: BREAKGLASS_ENV, sync: SYNC_ENV };

describe("README configuration tables", () => {
  it.each(Object.keys(schemas))("%s's table equals envTable(schema) (run node scripts/readme-tables.mjs)", (job) => {
    const block = new RegExp(`<!-- env:${job} -->\\n([\\s\\S]*?)\\n<!-- /env:${job} -->`).exec(readme);
    expect(block, `README.md has no <!-- env:${job} --> block`).not.toBeNull();
    expect(block?.[1]).toBe(envTable(schemas[job] as EnvSchema));
  });

  it("gives the two commands, and .ci/run runs the test one verbatim", () => {
    expect(readme).toContain("./scripts/setup.sh && pnpm demo");
    expect(readme).toContain("./scripts/setup.sh && pnpm test");
    const ci = readFileSync(new URL("../../../.ci/run", import.meta.url), "utf8");
    expect(ci).toContain("./scripts/setup.sh && pnpm test");
  });
});
