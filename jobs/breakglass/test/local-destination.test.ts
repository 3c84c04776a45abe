// A directory destination on its own (src/local-destination.ts), on a real temp directory:
// which temporary files a save removes and when, how a staged file is written, and what a commit
// leaves. No registry: a commit reads back whatever bytes were staged, so any bytes will do
// (issue 16: these lines survived the mutation run; issue 12 item 5 is the leftover rule).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, readlink, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { packTar, useTempDir } from "@regguard/testkit";
import { LocalDestination, STALE_TEMP_MS } from "../src/local-destination.js";
import { ANNOTATION } from "../src/layout.js";
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
    // Nothing else was even tried: a directory is not removed and warned about, it is passed by.
    expect(log.lines.filter((l) => l.level !== "info").map((l) => l.msg)).toEqual(["removed a temporary file left by an interrupted save"]);
  });

  it("a destination without a logger removes the stale temps all the same", async () => {
    const dir = tempDir();
    const stale = await leftover(dir, "app-v0.tar", STALE_TEMP_MS + 60_000);
    const staged = await new LocalDestination(dir).stage(archiveNames("app", "v1", "none"));
    await staged.abort();
    await staged.abort(); // twice: the temp is already gone, and that is not an error
    expect(await readdir(dir)).not.toContain(stale);
    expect(await readdir(dir)).toEqual([]);
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

/** A file that reads as an archive of `name` to the prune (its first index.json names it), `ageMs` old. */
async function archiveOf(path: string, name: string, ageMs: number): Promise<void> {
  const bytes = await packTar([
    { name: "oci-layout", body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: "index.json", body: JSON.stringify({ schemaVersion: 2, manifests: [], annotations: { [ANNOTATION.archiveName]: name } }) },
  ]);
  await writeFile(path, bytes);
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
}

describe("pruning after a commit", () => {
  // Checked by breaking pruneDirectory by hand: an empty protect set, the dot-file and file-type
  // filters dropped, a relative-only reading of latest's target.
  it("keeps the newest KEEP of this series, never a hidden file, a directory, another series' archive or what the other latest points at", async () => {
    const dir = tempDir();
    const hour = 3_600_000;
    for (const [tag, age] of [
      ["v1", 5],
      ["v2", 4],
      ["v3", 3],
    ] as const)
      await archiveOf(join(dir, `app-${tag}.tar`), "app", age * hour);
    // v3 (the newest) has its sidecar; v2 has none (a save killed between its renames): it goes all the same.
    await writeFile(join(dir, "app-v3.tar.sha256"), "x  app-v3.tar\n");
    await archiveOf(join(dir, ".app-v0.tar"), "app", 9 * hour); // hidden: someone's copy
    await mkdir(join(dir, "app-v00.tar")); // a directory named like an archive
    await archiveOf(join(dir, "app-other.tar"), "app-other", 8 * hour); // another series whose name starts like ours
    // The gzip series' latest, re-pointed by hand with an absolute path at the oldest archive: a rollback.
    await symlink(join(dir, "app-v1.tar"), join(dir, "app-latest.tar.gz"));

    const names = archiveNames("app", "v4", "none");
    const staged = await new LocalDestination(dir, "nas", memoryLogger()).stage(names);
    const bytes = Buffer.from("the new archive");
    await staged.write(bytes);
    await staged.end();
    const committed = await staged.commit(result(bytes), 1);

    // v3 is the newest archive of the series (the new bytes here are no archive); v1 is latest's.
    expect(committed.pruned).toEqual(["app-v2.tar"]);
    expect((await readdir(dir)).sort()).toEqual(
      [
        ".app-v0.tar",
        "app-latest.tar",
        "app-latest.tar.gz",
        "app-other.tar",
        "app-v00.tar",
        "app-v1.tar",
        "app-v3.tar",
        "app-v3.tar.sha256",
        "app-v4.tar",
        "app-v4.tar.sha256",
      ].sort(),
    );
  });
});

describe("pruning what is not a file", () => {
  it("a FIFO named like an old archive of the series is passed by, not read (a read would wait for a writer for ever)", async () => {
    const dir = tempDir();
    await archiveOf(join(dir, "app-v1.tar"), "app", 3 * 3_600_000);
    await archiveOf(join(dir, "app-v2.tar"), "app", 2 * 3_600_000);
    execFileSync("mkfifo", [join(dir, "app-v0.tar")]);
    const staged = await new LocalDestination(dir).stage(archiveNames("app", "v3", "none"));
    const bytes = Buffer.from("the new archive");
    await staged.write(bytes);
    await staged.end();
    expect((await staged.commit(result(bytes), 1)).pruned).toEqual(["app-v1.tar"]);
    expect(await readdir(dir)).toContain("app-v0.tar");
  });
});

describe("moving latest", () => {
  it("a latest that cannot be replaced fails the commit and leaves no temporary link behind", async () => {
    const dir = tempDir();
    const names = archiveNames("app", "v5", "none");
    const staged = await new LocalDestination(dir).stage(names);
    const bytes = Buffer.from("an archive");
    await staged.write(bytes);
    await staged.end();
    // Someone puts a directory with something in it where latest goes, after the stage checked.
    await mkdir(join(dir, names.latest));
    await writeFile(join(dir, names.latest, "keep"), "x");
    await expect(staged.commit(result(bytes), 3)).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.startsWith("."))).toEqual([]);
    expect(await readdir(join(dir, names.latest))).toEqual(["keep"]);
  });
});
