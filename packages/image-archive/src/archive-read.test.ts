// readArchive on tar files written here entry by entry (no registry): what one pass reports of
// the file as stored, which blobs it keeps in memory (a per-blob limit and a total budget), what a
// BlobVisitor sees, and that each refusal keeps its cause (issue 16: these lines survived the
// mutation run of src/archive-read.ts).
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_METADATA_BYTES, readArchive } from "./archive-read.js";
import { ArchiveInvalidError } from "./errors.js";
import { packTar, useTempDir, type TarEntry } from "@regguard/testkit";

const tempDir = useTempDir("bg-read", afterAll);
const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A blob entry named by its own digest. */
const blob = (body: Buffer) => ({ name: `blobs/sha256/${sha(body)}`, body });
/** `size` bytes that differ from every other call's. */
let seed = 0;
const bytes = (size: number) => Buffer.alloc(size, ++seed);

async function writeTar(entries: TarEntry[], gzip = false): Promise<string> {
  const bytes = await packTar(entries);
  const path = join(tempDir(), gzip ? "a.tar.gz" : "a.tar");
  await writeFile(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe("readArchive", () => {
  it("reports the file as stored (sha256 and size, gzip included) and every blob's size; ./ prefixes of any depth are one name", async () => {
    const small = bytes(10);
    const layer = bytes(300_000);
    const entries = [
      { name: "././oci-layout", body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
      { name: "./index.json", body: Buffer.from("{}") },
      { ...blob(small), name: `./././${blob(small).name}` },
      blob(layer),
    ];
    for (const gzip of [false, true]) {
      const path = await writeTar(entries, gzip);
      const file = await readFile(path);
      const out = await readArchive(path);
      expect(out.file).toEqual({ sha256: sha(file), size: file.length });
      expect([...out.metadata.keys()].sort()).toEqual(["index.json", "oci-layout"]);
      expect([...out.blobs]).toEqual([
        [`sha256:${sha(small)}`, 10],
        [`sha256:${sha(layer)}`, 300_000],
      ]);
    }
  });

  it("keeps blobs up to 4 MiB in memory, not one byte more, and hands only the others to a visitor", async () => {
    const atLimit = bytes(4 * MiB);
    const over = bytes(4 * MiB + 1);
    const path = await writeTar([blob(atLimit), blob(over)]);
    const out = await readArchive(path);
    expect([...out.small.keys()]).toEqual([`sha256:${sha(atLimit)}`]);
    expect(out.small.get(`sha256:${sha(atLimit)}`)?.equals(atLimit)).toBe(true);

    const visited: Array<[string, number, number]> = [];
    const viaVisitor = await readArchive(path, async (digest, size, entry: Readable) => {
      let n = 0;
      for await (const c of entry as AsyncIterable<Buffer>) n += c.length;
      visited.push([digest, size, n]);
    });
    expect(visited).toEqual([[`sha256:${sha(over)}`, 4 * MiB + 1, 4 * MiB + 1]]);
    expect([...viaVisitor.blobs.keys()]).toEqual([`sha256:${sha(atLimit)}`, `sha256:${sha(over)}`]);
  });

  it("keeps at most 64 MiB of small blobs in all: the ones after the budget are hashed and counted, not kept", async () => {
    const blobs = Array.from({ length: 17 }, () => bytes(4 * MiB));
    const out = await readArchive(await writeTar(blobs.map(blob)));
    expect(out.blobs.size).toBe(17);
    expect([...out.small.keys()]).toEqual(blobs.slice(0, 16).map((b) => `sha256:${sha(b)}`));
  });

  it("takes metadata of exactly the limit and refuses one byte more", async () => {
    const ok = await readArchive(await writeTar([{ name: "index.json", body: Buffer.alloc(MAX_METADATA_BYTES, 0x20) }]));
    expect(ok.metadata.get("index.json")?.length).toBe(MAX_METADATA_BYTES);
    const e = await failure(readArchive(await writeTar([{ name: "index.json", body: Buffer.alloc(MAX_METADATA_BYTES + 1, 0x20) }])));
    expect(e?.message).toBe(`index.json is ${MAX_METADATA_BYTES + 1} bytes; too big to be metadata`);
  });

  it("names an unexpected entry by its first 200 characters", async () => {
    const name = `stray/${"x".repeat(300)}`;
    const e = await failure(readArchive(await writeTar([{ name, body: Buffer.from("?") }])));
    expect(e?.message).toBe(`unexpected entry ${JSON.stringify(name.slice(0, 200))}`);
  });

  it("a visitor's own error is what the caller gets, not the stream error abandoning the entry causes", async () => {
    const path = await writeTar([blob(bytes(4 * MiB + 10))]);
    const refused = new Error("HTTP 401: the registry did not accept these credentials");
    const e = await failure(
      readArchive(path, async () => {
        throw refused;
      }),
    );
    expect(e).toBe(refused);
  });

  it("each read failure is an ArchiveInvalidError carrying the error underneath", async () => {
    const whole = await readFile(await writeTar([blob(bytes(100_000))], true));
    const truncated = join(tempDir(), "t.tar.gz");
    await writeFile(truncated, whole.subarray(0, whole.length - 40));
    const notTar = join(tempDir(), "n.tar");
    await writeFile(notTar, Buffer.alloc(2048, 0x41));
    for (const [path, message] of [
      [truncated, /^the archive is truncated \(/],
      [join(tempDir(), "missing.tar"), /^cannot read the archive: /],
      [notTar, /^the archive is not a readable tar: /],
    ] as const) {
      const e = await failure(readArchive(path));
      expect(e, path).toBeInstanceOf(ArchiveInvalidError);
      expect(e?.message).toMatch(message);
      expect(e?.cause, path).toBeInstanceOf(Error);
    }
  });
});

describe("readArchive refuses, entry by entry, what an image archive never holds", () => {
  const layout = { name: "oci-layout", body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') };
  const good = blob(Buffer.from("a good blob"));
  const HEX = "ab".repeat(32);
  it.each<[string, TarEntry[], string]>([
    ["an absolute name", [{ name: "/etc/cron.d/evil", body: "x" }], `entry "/etc/cron.d/evil" escapes the archive`],
    ["a name that climbs out", [{ name: "blobs/../../etc/cron.d/evil", body: "x" }], `entry "blobs/../../etc/cron.d/evil" escapes the archive`],
    [
      "a symlink",
      [{ name: "blobs/sha256/link", body: "", type: "symlink", linkname: "/etc/passwd" }],
      `entry "blobs/sha256/link" is a symlink; an image archive holds only files`,
    ],
    [
      "a hard link",
      [{ name: "blobs/sha256/hard", body: "", type: "link", linkname: "oci-layout" }],
      `entry "blobs/sha256/hard" is a link; an image archive holds only files`,
    ],
    ["a second oci-layout spelled ./oci-layout", [{ ...layout, name: "./oci-layout" }], `entry "oci-layout" appears twice`],
    ["a blob named by no valid digest", [{ name: "blobs/sha256/abc", body: "x" }], "entry blobs/sha256/abc is not named by a valid digest"],
    ["a blob path under another directory", [{ name: `x/blobs/sha256/${HEX}`, body: "x" }], `unexpected entry "x/blobs/sha256/${HEX}"`],
    ["a blob name with a suffix", [{ name: `blobs/sha256/${HEX}.bak`, body: "x" }], `unexpected entry "blobs/sha256/${HEX}.bak"`],
    ["a ./ inside a blob path", [{ name: `blobs/./sha256/${HEX}`, body: "x" }], `unexpected entry "blobs/./sha256/${HEX}"`],
  ])("%s", async (_what, extra, message) => {
    const e = await failure(readArchive(await writeTar([layout, good, ...extra])));
    expect(e).toBeInstanceOf(ArchiveInvalidError);
    expect(e?.message).toBe(message);
  });

  it("a blob whose bytes are not its name's: damaged, with what they hash to", async () => {
    const body = Buffer.from("the real bytes");
    const other = Buffer.from("other bytes!!!");
    const e = await failure(readArchive(await writeTar([layout, { name: blob(body).name, body: other }])));
    expect(e?.message).toBe(`blob sha256:${sha(body)} is damaged: its ${other.length} bytes hash to sha256:${sha(other)}`);
  });

  it("directories are passed by, and manifest.json is metadata like index.json", async () => {
    const out = await readArchive(
      await writeTar([
        { name: "blobs/", body: "", type: "directory" },
        { name: "blobs/sha256/", body: "", type: "directory" },
        layout,
        { name: "manifest.json", body: Buffer.from("[]") },
        good,
      ]),
    );
    expect([...out.metadata.keys()]).toEqual(["oci-layout", "manifest.json"]);
    expect([...out.blobs.keys()]).toEqual([`sha256:${sha(Buffer.from("a good blob"))}`]);
  });

  it("a gzip archive whose last bytes are damaged fails even though every entry was read", async () => {
    const gz = await readFile(await writeTar([layout, good], true));
    // The gzip trailer: CRC-32 and length of the whole tar, read after the last entry.
    gz.writeUInt32LE((gz.readUInt32LE(gz.length - 8) ^ 0xffffffff) >>> 0, gz.length - 8);
    const path = join(tempDir(), "crc.tar.gz");
    await writeFile(path, gz);
    const e = await failure(readArchive(path));
    expect(e).toBeInstanceOf(ArchiveInvalidError);
    expect(e?.message).toMatch(/^the archive is not a readable tar: .*check/i);
  });
});
