// Every shell script we ship passes bash -n and shellcheck.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles, rel, repoRoot, runTool } from "../src/index.js";

const root = repoRoot();
const scripts = [...listFiles(join(root, "scripts"), [".sh"]), ...listFiles(join(root, "manifests"), [".sh"])];

describe("shell scripts", () => {
  it("there are scripts to check", () => {
    expect(scripts.map((s) => rel(s))).toContain("scripts/setup-forgejo-containerd-mirror.sh");
  });

  it.each(scripts.map((s) => [rel(s), s] as const))("%s passes bash -n and shellcheck", (_n, file) => {
    const syntax = runTool("bash", ["-n", file]);
    expect(syntax.status, syntax.output).toBe(0);
    const lint = runTool("shellcheck", ["--severity=style", file]);
    expect(lint.status, lint.output).toBe(0);
  });
});
