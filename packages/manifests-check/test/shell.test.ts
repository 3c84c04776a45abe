// Every shell script in the repository passes bash -n and shellcheck,
// including extensionless entry points found by their shebang.
import { describe, expect, it } from "vitest";
import { listShellScripts, rel, repoRoot, runTool } from "../src/index.js";

const root = repoRoot();
const scripts = listShellScripts(root);

describe("shell scripts", () => {
  it("there are scripts to check, *.sh and extensionless ones with a shell shebang", () => {
    const names = scripts.map((s) => rel(s));
    expect(names).toContain("scripts/setup-forgejo-containerd-mirror.sh");
    expect(names).toContain(".ci/run");
    expect(names).not.toContain("images/job.Dockerfile");
  });

  it.each(scripts.map((s) => [rel(s), s] as const))("%s passes bash -n and shellcheck", (_n, file) => {
    const syntax = runTool("bash", ["-n", file]);
    expect(syntax.status, syntax.output).toBe(0);
    const lint = runTool("shellcheck", ["--severity=style", file]);
    expect(lint.status, lint.output).toBe(0);
  });
});
