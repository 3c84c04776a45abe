// The README documents what the code does: its environment table is the
// schema's envTable, its metrics and exit codes are the code's.
import { readFileSync } from "node:fs";
import { envTable } from "@regguard/job-config";
import { describe, expect, it } from "vitest";
import { METRIC, PROBE_ENV, PROBE_EXIT } from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("has exactly envTable(PROBE_ENV) between the env-table markers", () => {
    const m = /<!-- env-table:start[^\n]*-->\n([\s\S]*?)\n<!-- env-table:end -->/.exec(readme);
    expect(m, "README.md lost its env-table markers").not.toBeNull();
    expect(m?.[1], "regenerate the table: envTable(PROBE_ENV) from @regguard/job-config").toBe(envTable(PROBE_ENV));
  });

  it("documents every metric and every exit code", () => {
    const metricsSection = readme.slice(readme.indexOf("## Metrics"), readme.indexOf("## Exit codes"));
    const documented = [...metricsSection.matchAll(/^\| `(registry_manifest_integrity_[a-z_]+)`/gm)].map((x) => x[1]);
    expect(documented.sort()).toEqual(Object.values(METRIC).sort());
    const exitSection = readme.slice(readme.indexOf("## Exit codes"), readme.indexOf("## Image"));
    const codes = [...exitSection.matchAll(/^\| (\d+) \|/gm)].map((x) => Number(x[1]));
    expect(codes.sort((a, b) => a - b)).toEqual(Object.values(PROBE_EXIT).sort((a, b) => a - b));
  });
});
