// An archive opened for reading by digest, in any order: sync's repair asks for whichever
// pieces a broken target image lacks (jobs/sync, SOURCE_ARCHIVE). Opening reads the whole file
// once (readArchive: every blob hashed against its name, so a damaged archive is refused before
// anything is sent anywhere), then indexes where each blob sits. A gzip archive is first
// decompressed to a temporary file, since gzip cannot be read from the middle.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { MAX_MANIFEST_BYTES, parseManifest, VerifyStream, type Descriptor, type Digest, type Manifest } from "@regguard/oci-client";
import { ANNOTATION } from "./annotations.js";
import { readArchive, type ArchiveContents } from "./archive-read.js";
import { ArchiveInvalidError, ArchiveSpoolError } from "./errors.js";
import { fileIsGzip } from "./gzip.js";
import { blobExtents, type BlobExtent } from "./tar-offsets.js";

/** An image named in index.json. */
export interface ArchivedImage {
  /** The full reference containerd imports it as (io.containerd.image.name). */
  name: string;
  /** org.opencontainers.image.ref.name, when the image was saved from a tag. */
  tag: string | undefined;
  descriptor: Descriptor;
}

/** The images an index.json names; an entry without a name is not one an importer can use. */
export function archivedImages(indexJson: Uint8Array): ArchivedImage[] {
  let index: Manifest;
  try {
    index = parseManifest(indexJson, { what: "index.json" });
  } catch (e) {
    throw new ArchiveInvalidError(`index.json: ${(e as Error).message}`, { cause: e });
  }
  if (index.kind !== "index" || index.manifests.length === 0) throw new ArchiveInvalidError("index.json lists no manifests");
  return index.manifests.map((d) => {
    const name = d.annotations?.[ANNOTATION.imageName];
    if (!name) throw new ArchiveInvalidError(`index.json entry ${d.digest} has no ${ANNOTATION.imageName} annotation; containerd would import it unnamed`);
    return { name, tag: d.annotations?.[ANNOTATION.refName], descriptor: d };
  });
}

export class OpenedArchive {
  private constructor(
    readonly path: string,
    readonly images: readonly ArchivedImage[],
    private readonly contents: ArchiveContents,
    private readonly extents: Map<Digest, BlobExtent>,
    /** The plain tar read from: `path`, or the temporary copy of a gzip archive. */
    private readonly plain: string,
    private readonly spool: string | undefined,
  ) {}

  /** Verify and index `path`; throws ArchiveInvalidError naming the first problem. */
  static async open(path: string): Promise<OpenedArchive> {
    const contents = await readArchive(path);
    const indexJson = contents.metadata.get("index.json");
    if (!indexJson) throw new ArchiveInvalidError("index.json is missing from the archive");
    const images = archivedImages(indexJson);
    let spool: string | undefined;
    let plain = path;
    try {
      if (await fileIsGzip(path)) {
        try {
          spool = await mkdtemp(join(tmpdir(), "regguard-archive-"));
          plain = join(spool, "archive.tar");
          await pipeline(createReadStream(path), createGunzip(), createWriteStream(plain, { flags: "wx" }));
        } catch (e) {
          throw spoolFailure(path, e);
        }
      }
      const extents = await blobExtents(plain);
      for (const digest of contents.blobs.keys()) {
        if (!extents.has(digest)) throw new ArchiveInvalidError(`blob ${digest} was read but its place in the file could not be found`);
      }
      return new OpenedArchive(path, images, contents, extents, plain, spool);
    } catch (e) {
      if (spool) await rm(spool, { recursive: true, force: true });
      throw e;
    }
  }

  /** The blob's size, or undefined when the archive does not hold it. */
  size(digest: Digest): number | undefined {
    return this.contents.blobs.get(digest);
  }

  /** A manifest the archive holds, parsed and checked against its digest; undefined when absent. */
  async manifest(digest: Digest, mediaType?: string): Promise<Manifest | undefined> {
    // Kept in memory by the first pass, unless the keep budget ran out (then read from the file).
    let raw: Uint8Array | undefined = this.contents.small.get(digest);
    const at = this.extents.get(digest);
    if (raw === undefined && at !== undefined) {
      if (at.size > MAX_MANIFEST_BYTES) throw new ArchiveInvalidError(`${digest} in ${this.path} is ${at.size} bytes: too big to be a manifest`);
      raw = await readRange(this.plain, at);
    }
    if (raw === undefined) return undefined;
    return parseManifest(raw, { what: `${digest} in ${this.path}`, requestedDigest: digest, ...(mediaType ? { contentType: mediaType } : {}) });
  }

  /** Stream a blob from the file, checked again against its digest and size as it is read. */
  openBlob(d: Pick<Descriptor, "digest" | "size">): Readable | undefined {
    const at = this.extents.get(d.digest);
    if (at === undefined) return undefined;
    const verify = new VerifyStream(`blob ${d.digest} in ${this.path}`, d.digest, d.size);
    if (at.size === 0) {
      verify.end();
      return verify;
    }
    const file = createReadStream(this.plain, { start: at.offset, end: at.offset + at.size - 1, highWaterMark: 1024 * 1024 });
    file.on("error", (e) => verify.destroy(e));
    verify.on("close", () => file.destroy());
    return file.pipe(verify);
  }

  /** Removes the temporary copy of a gzip archive. */
  async close(): Promise<void> {
    if (this.spool) await rm(this.spool, { recursive: true, force: true });
  }
}

async function readRange(path: string, at: BlobExtent): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(at.size);
    const { bytesRead } = await fh.read(buf, 0, at.size, at.offset);
    if (bytesRead !== at.size) throw new ArchiveInvalidError(`${path} changed while it was read: ${bytesRead} of ${at.size} bytes at byte ${at.offset}`);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * What a failed decompression to $TMPDIR means. A system call's error (ENOSPC, EROFS, ENOENT,
 * EACCES) is the machine's: an ArchiveSpoolError naming the directory. Anything else (zlib) means
 * the file changed since it was read whole and hashed: an ArchiveInvalidError.
 */
function spoolFailure(path: string, e: unknown): Error {
  const code = (e as { code?: unknown }).code;
  const detail = e instanceof Error ? e.message : String(e);
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    return new ArchiveSpoolError(
      `cannot decompress ${path} into ${tmpdir()} (${detail}); the uncompressed archive needs room there: set TMPDIR to a writable directory that has it`,
      { cause: e },
    );
  }
  return new ArchiveInvalidError(`${path} changed while it was being decompressed (${detail})`, { cause: e });
}
