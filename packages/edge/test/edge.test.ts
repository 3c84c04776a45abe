import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { deadline, sleep } from "../src/index.js";

describe("sleep", () => {
  it("resolves after the time and leaves no listener on the job's signal", async () => {
    const job = new AbortController();
    for (let i = 0; i < 50; i++) await sleep(1, job.signal);
    expect(getEventListeners(job.signal, "abort")).toHaveLength(0);
  });

  it("rejects with the signal's reason as soon as it aborts, and at once when already aborted", async () => {
    const job = new AbortController();
    const t0 = Date.now();
    const pending = sleep(60_000, job.signal);
    setTimeout(() => job.abort(new Error("SIGTERM")), 10);
    await expect(pending).rejects.toThrow("SIGTERM");
    expect(Date.now() - t0).toBeLessThan(5_000);
    await expect(sleep(60_000, job.signal)).rejects.toThrow("SIGTERM");
  });
});

describe("deadline", () => {
  it("aborts its signal on the deadline and says so", async () => {
    const d = deadline(10);
    await new Promise((r) => d.signal.addEventListener("abort", r, { once: true }));
    expect(d.timedOut()).toBe(true);
    expect((d.signal.reason as DOMException).name).toBe("TimeoutError");
    d.done();
  });

  it("aborts when the job's signal aborts, without calling it a timeout", () => {
    const job = new AbortController();
    const d = deadline(60_000, job.signal);
    job.abort(new Error("SIGTERM"));
    expect(d.signal.aborted).toBe(true);
    expect(d.timedOut()).toBe(false);
    expect((d.signal.reason as Error).message).toBe("SIGTERM");
    d.done();
  });

  it("is aborted from the start under an aborted job signal", () => {
    const job = new AbortController();
    job.abort(new Error("stopped"));
    expect(deadline(60_000, job.signal).signal.aborted).toBe(true);
  });

  it("done() removes its listener from the long-lived signal: a thousand requests leave none", () => {
    const job = new AbortController();
    for (let i = 0; i < 1000; i++) deadline(60_000, job.signal).done();
    expect(getEventListeners(job.signal, "abort")).toHaveLength(0);
  });
});
