// A directory destination on its own (src/local-destination.ts), on a real temp directory:
// which temporary files a save removes and when, how a staged file is written, and what a commit
// leaves. No registry: a commit reads back whatever bytes were staged, so any bytes will do
// (issue 16: these lines survived the mutation run; issue 12 item 5 is the leftover rule).
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, readlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { useTempDir } from "@regguard/testkit";
import { LocalDestination, STALE_TEMP_MS } from "../src/local-destination.js";
import { archiveNames, tempName } from "../src/names.js";

const tempDir = useTempDir("bg-local", afterAll);
const result = (bytes: Buffer) => ({ sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length });

/** A file named like a temporary of ours for `file`, last modified `ageMs` ago. */
async function leftover(dir: string, file: string, ageMs: number): Promise<string> {
  const name = tempName(file, 4242);
  await writeFile(join(dir, name), "half an archive");
  const when = new Date(Date.now() - ageMs);
  await utimes(join(dir, name), when, when);
  return name;
}

describe("temporary files left by killed saves", () => {
  it("staging removes this series' temps from six hours ago, not younger ones, not another series', not a directory", async () => {
    expect(STALE_TEMP_MS).toBe(6 * 60 * 60 * 1000);
    const dir = tempDir();
    const stale = await leftover(dir, "app-v0.tar", STALE_TEMP_MS + 60_000);
    const young = await leftover(dir, "app-v0.tar", STALE_TEMP_MS - 60_000);
    const foreign = await leftover(dir, "other-v0.tar", STALE_TEMP_MS + 60_000);
    const folder = tempName("app-v9.tar", 4343);
    await mkdir(join(dir, folder));
    await utimes(join(dir, folder), new Date(0), new Date(0));
    const log = memoryLogger();

    const staged = await new LocalDestination(dir, "nas", log).stage(archiveNames("app", "v1", "none"));
    await staged.abort();

    expect((await readdir(dir)).sort()).toEqual([folder, foreign, young].sort());
    const removed = log.lines.filter((l) => l.msg === "removed a temporary file left by an interrupted save");
    expect(removed.map((l) => [l.destination, l.file, l.size])).toEqual([["nas", stale, "half an archive".length]]);
  });

  it("a committed save removes the temps a killed save of the same file left, whatever their age; latest's wait", async () => {
    const dir = tempDir();
    const names = archiveNames("app", "v1", "none");
    const mine = await leftover(dir, names.file, 1000);
    const sidecar = await leftover(dir, names.sidecar, 1000);
    const latest = await leftover(dir, names.latest, 1000);
    const staged = await new LocalDestination(dir, "nas", memoryLogger()).stage(names);
    const bytes = Buffer.from("any bytes: the commit reads back what was staged");
    await staged.write(bytes);
    await staged.end();
    await staged.commit(result(bytes), 3);
    const left = await readdir(dir);
    expect(left).not.toContain(mine);
    expect(left).not.toContain(sidecar);
    expect(left).toContain(latest);
    expect(left.filter((f) => !f.startsWith(".")).sort()).toEqual([names.file, names.latest, names.sidecar].sort());
  });
});

describe("a staged file", () => {
  it("is written chunk after chunk at the right offsets, closed once, and refuses writes after it is closed", async () => {
    const dir = tempDir();
    const names = archiveNames("app", "v2", "none");
    const staged = await new LocalDestination(dir).stage(names);
    const parts = [Buffer.from("first,"), Buffer.alloc(70_000, 0x61), Buffer.from(",last")];
    for (const p of parts) await staged.write(p);
    await staged.end();
    await staged.end(); // a second end is a no-op, not a double close
    await expect(staged.write(Buffer.from("late"))).rejects.toThrow(/is closed$/);
    const all = Buffer.concat(parts);
    const committed = await staged.commit(result(all), 3);
    expect(committed.location).toBe(join(dir, names.file));
    expect((await readFile(join(dir, names.file))).equals(all)).toBe(true);
    expect(await readlink(join(dir, names.latest))).toBe(names.file);
    expect(await readFile(join(dir, names.sidecar), "utf8")).toBe(`${result(all).sha256}  ${names.file}\n`);
  });

  it("a read-back that differs from what was streamed fails the commit and leaves neither archive nor latest", async () => {
    const dir = tempDir();
    const names = archiveNames("app", "v3", "none");
    const staged = await new LocalDestination(dir).stage(names);
    const bytes = Buffer.from("what was written");
    await staged.write(bytes);
    await staged.end();
    await expect(staged.commit({ ...result(bytes), sha256: "0".repeat(64) }, 3)).rejects.toThrow(
      /reads back as 16 bytes sha256:[0-9a-f]{64} \(16 written\), expected 16 bytes/,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
