// Every shell script in the repository passes bash -n and shellcheck.
import { describe, expect, it } from "vitest";
import { listFiles, rel, repoRoot, runTool } from "../src/index.js";

const root = repoRoot();
const scripts = listFiles(root, [".sh"]);

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
