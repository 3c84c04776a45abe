// OpenedArchive and blobExtents on tars written here entry by entry: where each blob's bytes are
// found again (pax long names, `./` prefixes, gzip), what is refused, and that a blob read back
// is checked again against its digest (the file may change after it was verified).
import { createHash } from "node:crypto";
import { readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { packTar, useTempDir } from "@regguard/testkit";
import { ANNOTATION } from "./annotations.js";
import { ArchiveInvalidError, ArchiveSpoolError } from "./errors.js";
import { archivedImages, OpenedArchive } from "./opened-archive.js";
import { blobExtents } from "./tar-offsets.js";

const tempDir = useTempDir("image-archive", afterAll);
const hex = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const digest = (b: Buffer | string) => `sha256:${hex(b)}` as const;

/** A one-image archive: oci-layout, index.json naming `name`, a manifest, its config and layer. */
function image(name: string, layer: string) {
  const config = JSON.stringify({ os: "linux", rootfs: { diff_ids: [digest(layer)] } });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digest(config), size: config.length },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: digest(layer), size: layer.length }],
  });
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: digest(manifest),
        size: manifest.length,
        annotations: { [ANNOTATION.imageName]: name, [ANNOTATION.refName]: "v1" },
      },
    ],
  });
  const entries = [
    { name: "oci-layout", body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: "index.json", body: index },
    ...[manifest, config, layer].map((b) => ({ name: `blobs/sha256/${hex(b)}`, body: b })),
  ];
  return { entries, manifest, config, layer };
}

async function write(bytes: Buffer, name: string): Promise<string> {
  const path = join(tempDir(), name);
  await writeFile(path, bytes);
  return path;
}

describe("blobExtents", () => {
  it("finds every blob's bytes, behind a pax long name or a ./ prefix too", async () => {
    const a = "first blob";
    const b = "second blob, behind a long stray name";
    const tar = await packTar([
      { name: `./blobs/sha256/${hex(a)}`, body: a },
      { name: `stray/${"x".repeat(150)}`, body: "not a blob" },
      { name: `blobs/sha256/${hex(b)}`, body: b },
    ]);
    const extents = await blobExtents(await write(tar, "x.tar"));
    expect([...extents.keys()]).toEqual([digest(a), digest(b)]);
    for (const [d, at] of extents) expect(digest(tar.subarray(at.offset, at.offset + at.size))).toBe(d);
  });

  it("refuses a tar cut short, whether inside an entry or where its end marker should be", async () => {
    const tar = await packTar([{ name: `blobs/sha256/${hex("abc")}`, body: "abc".repeat(400) }]);
    await expect(blobExtents(await write(tar.subarray(0, 1024), "cut.tar"))).rejects.toThrow(/truncated: the entry at byte 0 runs past its end/);
    await expect(blobExtents(await write(tar.subarray(0, 512 + 1536), "no-end.tar"))).rejects.toThrow(/truncated: no tar header or end marker at byte 2048/);
  });
});

describe("OpenedArchive", () => {
  it("serves a gzip archive's manifest and blobs by digest and removes its temporary copy on close", async () => {
    const img = image("registry.example/team/app:v1", "layer bytes ".repeat(1000));
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith("regguard-archive-"));
    const archive = await OpenedArchive.open(await write(gzipSync(await packTar(img.entries)), "a.tar.gz"));
    expect(archive.images.map((i) => [i.name, i.tag])).toEqual([["registry.example/team/app:v1", "v1"]]);
    expect((await archive.manifest(digest(img.manifest)))?.kind).toBe("image");
    expect(await archive.manifest(digest("absent"))).toBeUndefined();
    expect(archive.size(digest(img.layer))).toBe(img.layer.length);
    expect(await text(archive.openBlob({ digest: digest(img.layer), size: img.layer.length }) as NodeJS.ReadableStream)).toBe(img.layer);
    expect(archive.openBlob({ digest: digest("absent"), size: 6 })).toBeUndefined();
    await archive.close();
    expect((await readdir(tmpdir())).filter((n) => n.startsWith("regguard-archive-"))).toEqual(before);
  });

  it("a gzip archive that finds no usable TMPDIR is an ArchiveSpoolError naming the directory, not a damaged archive", async () => {
    const img = image("registry.example/team/app:v1", "layer bytes");
    const path = await write(gzipSync(await packTar(img.entries)), "spool.tar.gz");
    const notADirectory = await write(Buffer.from("a file, not a directory"), "not-a-dir");
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = notADirectory;
    try {
      const error: unknown = await OpenedArchive.open(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArchiveSpoolError);
      expect(error).toMatchObject({ code: "BREAKGLASS_ARCHIVE_SPOOL_FAILED" });
      expect((error as Error).message).toContain(`cannot decompress ${path} into ${notADirectory} (ENOTDIR`);
      expect((error as Error).message).toContain("set TMPDIR");
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    // The same file opens once TMPDIR is usable: the archive was never at fault.
    const archive = await OpenedArchive.open(path);
    expect(archive.size(digest(img.layer))).toBe(img.layer.length);
    await archive.close();
  });

  it("checks a blob again as it is read back: a file changed after opening fails the stream", async () => {
    const img = image("registry.example/app:v1", "original layer");
    const path = await write(await packTar(img.entries), "b.tar");
    const archive = await OpenedArchive.open(path);
    const tampered = await packTar(img.entries.map((e) => (e.body === img.layer ? { ...e, body: "tampered layer" } : e)));
    await writeFile(path, tampered);
    await expect(text(archive.openBlob({ digest: digest(img.layer), size: img.layer.length }) as NodeJS.ReadableStream)).rejects.toThrow(/content hashes to/);
    await archive.close();
  });

  it("refuses an archive whose index.json names no image", async () => {
    const img = image("registry.example/app:v1", "layer");
    const unnamed = img.entries.map((e) => (e.name === "index.json" ? { ...e, body: String(e.body).replace(ANNOTATION.imageName, "other") } : e));
    const error = await OpenedArchive.open(await write(await packTar(unnamed), "c.tar")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveInvalidError);
    expect((error as Error).message).toMatch(/has no io\.containerd\.image\.name annotation; containerd would import it unnamed/);
  });
});

describe("archivedImages", () => {
  it("refuses an index.json that lists no manifests or is not an index", () => {
    expect(() => archivedImages(Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'))).toThrow(
      "index.json lists no manifests",
    );
    expect(() => archivedImages(Buffer.from("not json"))).toThrow(/^index\.json: /);
  });
});
