import { describe, expect, it } from "vitest";
import { ToolMissingError } from "./errors.js";
import { runTool } from "./tools.js";

describe("runTool", () => {
  it("runs a tool and returns its status and output", () => {
    expect(runTool("bash", ["-c", "echo hi; exit 3"])).toEqual({ status: 3, output: "hi\n" });
  });

  it("fails with the Debian package to install when a tool is missing", () => {
    expect(() => runTool("regguard-no-such-tool", [])).toThrow(ToolMissingError);
    expect(new ToolMissingError("promtool", "prometheus").message).toBe(
      'promtool is not installed: apt-get install prometheus (Debian package "prometheus"; scripts/setup.sh installs it)',
    );
  });
});
