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
