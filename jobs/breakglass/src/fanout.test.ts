// The fan-out isolates a failing sink and waits for its cleanup.
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AllDestinationsFailedError } from "./errors.js";
import { COALESCE_BYTES, Fanout, type Sink } from "./fanout.js";

class MemorySink implements Sink {
  chunks: Buffer[] = [];
  ended = false;
  aborted = false;
  constructor(
    readonly label: string,
    private readonly failAfter = Infinity,
  ) {}
  async write(chunk: Buffer): Promise<void> {
    if (this.chunks.length >= this.failAfter) throw new Error(`${this.label}: disk full`);
    this.chunks.push(chunk);
  }
  async end(): Promise<void> {
    this.ended = true;
  }
  async abort(): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this.aborted = true;
  }
}

const data = Buffer.alloc(3 * COALESCE_BYTES + 123, 7);
const source = () => Readable.from(Array.from({ length: 40 }, (_, i) => data.subarray((i * data.length) / 40, ((i + 1) * data.length) / 40)));

describe("Fanout", () => {
  it("copies every byte to every sink in large writes and hashes them", async () => {
    const a = new MemorySink("a");
    const b = new MemorySink("b");
    const f = new Fanout([a, b]);
    await pipeline(source(), f);
    expect(Buffer.concat(a.chunks).equals(data)).toBe(true); // not toEqual: element-wise diffing of MiBs is slow
    expect(Buffer.concat(b.chunks).equals(data)).toBe(true);
    expect(a.chunks.length).toBeLessThanOrEqual(4);
    expect(await f.result()).toEqual({ sha256: createHash("sha256").update(data).digest("hex"), size: data.length });
    expect([a.ended, b.ended]).toEqual([true, true]);
  });

  it("drops a failing sink, aborts it, keeps the others", async () => {
    const bad = new MemorySink("bad", 1);
    const good = new MemorySink("good");
    const failures: string[] = [];
    const f = new Fanout([bad, good], (s, e) => failures.push(`${s.label}: ${(e as Error).message}`));
    await pipeline(source(), f);
    expect(failures).toEqual(["bad: bad: disk full"]);
    expect(bad.aborted).toBe(true);
    expect(f.healthy).toEqual([good]);
    expect(Buffer.concat(good.chunks).equals(data)).toBe(true);
  });

  it("fails the stream when every sink failed", async () => {
    const f = new Fanout([new MemorySink("x", 0), new MemorySink("y", 0)]);
    await expect(pipeline(source(), f)).rejects.toThrow(AllDestinationsFailedError);
  });
});
