// Runs the command-line tools the checks need (promtool, shellcheck, bash).
// A missing tool is an error naming its Debian package, never a silent pass.
import { spawnSync } from "node:child_process";
import { ToolMissingError } from "./errors.js";

/** Tool -> Debian package that provides it. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  promtool: "prometheus",
  shellcheck: "shellcheck",
  bash: "bash",
  containerd: "containerd",
  "docker-registry": "docker-registry",
};

/** Exit status and output of one run. */
export interface ToolResult {
  readonly status: number;
  readonly output: string;
}

/** Runs `tool args`; throws ToolMissingError when the tool is not installed. */
export function runTool(tool: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): ToolResult {
  const r = spawnSync(tool, args, { cwd: options.cwd, encoding: "utf8", timeout: options.timeoutMs ?? 60_000 });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === "ENOENT") throw new ToolMissingError(tool, TOOL_PACKAGES[tool] ?? tool);
    throw r.error;
  }
  return { status: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Whether `tool` can be started. */
export function hasTool(tool: string): boolean {
  return !spawnSync(tool, ["--version"], { encoding: "utf8" }).error;
}
