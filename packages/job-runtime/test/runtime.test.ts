import { execFile } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@regguard/job-config";
import { ExitError, exitCodeFor, jsonLogger, memoryLogger } from "../src/index.js";

describe("jsonLogger", () => {
  it("writes one JSON object per line and masks secrets", () => {
    let text = "";
    const log = jsonLogger({ write: (s: string) => (text += s) });
    log.info("pushed", { url: "https://user:hunter2@pgw.example/metrics", REGISTRY_PASSWORD: "hunter2", nested: { token: "abc" }, count: 3 });
    const line = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", msg: "pushed", count: 3, REGISTRY_PASSWORD: "***", nested: { token: "***" } });
    expect(text).not.toContain("hunter2");
    expect(text.endsWith("\n")).toBe(true);
  });
});

describe("exitCodeFor", () => {
  it("maps config errors to 2, ExitError to its code and bugs to the internal code", () => {
    const log = memoryLogger();
    expect(exitCodeFor(new ConfigError(["X must be set"]), log)).toBe(2);
    expect(exitCodeFor(new ExitError(3, "push failed"), log)).toBe(3);
    expect(exitCodeFor(new TypeError("boom"), log, 70)).toBe(70);
    expect(log.lines.map((l) => l.level)).toEqual(["error", "error", "error"]);
  });
});

describe("runMain", () => {
  // A real process: the drained event loop is the process's own, not the test runner's.
  const main = (body: string) =>
    new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const script = `import { runMain } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "../dist/index.js")).href)};\nawait runMain(${body}, { help: "h", internalErrorCode: 3 });\n`;
      execFile(process.execPath, ["--input-type=module", "-e", script], (e, stdout) => {
        if (e && typeof e.code !== "number") return reject(e);
        resolve({ code: e ? (e.code as number) : 0, stdout });
      });
    });

  it("a run that can never settle (the event loop drains) is logged and exits with the internal error code, not 13 in silence", async () => {
    const r = await main("() => new Promise(() => {})");
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/"level":"error","msg":"internal error: the job stopped before it finished \(its event loop drained/);
  });

  it("a run that finishes keeps its own exit code and logs nothing of the kind", async () => {
    const r = await main("async () => 0");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("stopped before it finished");
  });
});
