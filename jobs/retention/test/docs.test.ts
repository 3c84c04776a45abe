// Docs from tested code: the README's environment table is the schema's, and
// the runbook's plan-reading jq filter works on what the CLI prints.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { envTable } from "@regguard/job-config";
import { hasBinary } from "@regguard/testkit";
import { describe, expect, it } from "vitest";
import { RETENTION_ENV } from "../src/env-schema.js";
import { HELP } from "../src/help.js";

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const runbook = readFileSync(join(root, "../../docs/runbooks/retention.md"), "utf8");

/** Text between `<!-- name:start -->` and `<!-- name:end -->`. */
const between = (text: string, name: string): string => {
  const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(text);
  if (!m) throw new Error(`no ${name} block`);
  return m[1] as string;
};

describe("docs", () => {
  it("README's environment table is envTable(RETENTION_ENV)", () => {
    expect(between(readme, "env-table")).toBe(envTable(RETENTION_ENV));
  });

  it("README, runbook and --help agree on the exit codes", () => {
    for (const code of ["0", "1", "2"]) {
      expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, "m"));
      expect(runbook).toMatch(new RegExp(`^\\| ${code} \\|`, "m"));
      expect(HELP).toMatch(new RegExp(`^  ${code}  `, "m"));
    }
  });

  it("every upper-case variable the runbook and README name is in the schema", () => {
    const names = new Set<string>(RETENTION_ENV.map((s) => s.name));
    const mentioned = [...`${readme}\n${runbook}`.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)[=`]/g)].map((m) => m[1] as string);
    expect(mentioned.filter((n) => !names.has(n))).toEqual([]);
  });

  const jq = between(runbook, "tested:plan-table").replace(/^```sh\n|\n```$/g, "");
  const noJq = !hasBinary("jq");
  if (noJq) console.warn("skipping the runbook jq test: jq is not installed (apt-get install jq)");
  it.skipIf(noJq)("the runbook's jq filter turns plan lines into a table", async () => {
    const program = /jq -r '([^']+)'/.exec(jq)?.[1];
    expect(program).toBeDefined();
    const lines = [
      { level: "info", msg: "retention starting" },
      { level: "info", msg: "plan", package: "site", version: "latest", decision: "keep", reason: "latest" },
      { level: "info", msg: "plan", package: "site", version: "old", decision: "delete", reason: "delete" },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile("jq", ["-r", program as string], (e, stdout) => (e ? reject(e) : resolve(stdout)));
      child.stdin?.end(lines);
    });
    expect(out).toBe("keep\tsite\tlatest\tlatest\ndelete\tsite\told\tdelete\n");
  });
});
