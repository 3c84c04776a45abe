// The README documents what the code does: its environment table is the schema's envTable, its
// metrics and exit codes are the code's.
import { readFileSync } from "node:fs";
import { envTable } from "@regguard/job-config";
import { describe, expect, it } from "vitest";
import { METRIC, SYNC_ENV, SYNC_EXIT } from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("has exactly envTable(SYNC_ENV) between the env-table markers", () => {
    const m = /<!-- env-table:start[^\n]*-->\n([\s\S]*?)\n<!-- env-table:end -->/.exec(readme);
    expect(m, "README.md lost its env-table markers").not.toBeNull();
    expect(m?.[1], "regenerate the table: envTable(SYNC_ENV) from @regguard/job-config").toBe(envTable(SYNC_ENV));
  });

  it("documents every metric and every exit code", () => {
    const metrics = readme.slice(readme.indexOf("## Metrics"), readme.indexOf("## Exit codes"));
    expect([...metrics.matchAll(/^\| `(registry_sync_[a-z_]+)`/gm)].map((x) => x[1]).sort()).toEqual(Object.values(METRIC).sort());
    const exits = readme.slice(readme.indexOf("## Exit codes"), readme.indexOf("## Image"));
    expect([...exits.matchAll(/^\| (\d+) \|/gm)].map((x) => Number(x[1])).sort((a, b) => a - b)).toEqual(Object.values(SYNC_EXIT).sort((a, b) => a - b));
  });
});
