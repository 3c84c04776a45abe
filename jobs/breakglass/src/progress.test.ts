// Progress: one rewritten line on a terminal, throttled JSON lines otherwise.
import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { formatBytes, Progress } from "./progress.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("Progress", () => {
  it("redraws one line with bytes, share and rate on a TTY", () => {
    vi.useFakeTimers({ now: 0 });
    const out: string[] = [];
    const p = new Progress({ log: memoryLogger(), total: 100 * 1024 * 1024, label: "r.example/app:v1", tty: { isTTY: true, write: (s) => out.push(s) } });
    p.add(10 * 1024 * 1024);
    vi.setSystemTime(1000);
    p.add(40 * 1024 * 1024);
    p.done();
    expect(out[0]).toBe("\rr.example/app:v1: 50.0 MiB / 100.0 MiB (50%)  50.0 MiB/s   ");
    expect(out.at(-1)).toMatch(/\n$/);
  });

  it("logs JSON progress at most every 10 s when not on a terminal, and a final line", () => {
    vi.useFakeTimers({ now: 0 });
    const log = memoryLogger();
    const p = new Progress({ log, total: 1000, label: "x", tty: { isTTY: false, write: () => expect.fail("no TTY output") } });
    for (let t = 0; t <= 25_000; t += 500) {
      vi.setSystemTime(t);
      p.add(10);
    }
    p.done();
    expect(log.lines.map((l) => l.msg)).toEqual(["progress", "progress", "transfer finished"]);
    expect(log.lines.at(-1)).toMatchObject({ bytes: 510, total: 1000, percent: 51 });
  });

  it("formats sizes", () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(3 * 1024 ** 3)]).toEqual(["512 B", "1.5 KiB", "3.0 GiB"]);
  });
});
