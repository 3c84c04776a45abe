// One pass over an archive's entries: every blob hashed against its name,
// small blobs (manifests, configs come first) kept for the structure checks.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { digester, parseDigest, type Digest } from "@regguard/oci-client";
import tar from "tar-stream";
import { blobDigestText, entryName } from "./entry-names.js";
import { fileIsGzip } from "./gzip.js";
import { ArchiveInvalidError } from "./errors.js";

/** index.json, manifest.json and oci-layout are small documents. */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** Blobs up to this size are kept in memory (manifests and configs). */
const KEEP_BLOB_BYTES = 4 * 1024 * 1024;
/** Total memory for kept blobs: flat whatever the image size. */
const KEEP_BUDGET_BYTES = 64 * 1024 * 1024;

/** What one pass learned. */
export interface ArchiveContents {
  metadata: Map<string, Buffer>;
  /** Every blob's verified size, in archive order. */
  blobs: Map<Digest, number>;
  /** Bytes of the small blobs. */
  small: Map<Digest, Buffer>;
  /** sha256 (hex) and size of the file as stored (compressed if gzip). */
  file: { sha256: string; size: number };
}

/** Called for each blob entry instead of hashing it (restore streams them to a registry). */
export type BlobVisitor = (digest: Digest, size: number, entry: Readable) => Promise<void>;

/** Read an archive; throws ArchiveInvalidError at the first damaged entry. */
export async function readArchive(path: string, visit?: BlobVisitor): Promise<ArchiveContents> {
  const gzip = await fileIsGzip(path).catch(() => false);
  const raw = createReadStream(path, { highWaterMark: 1024 * 1024 });
  const fileHash = createHash("sha256");
  let fileSize = 0;
  // Hash the file as stored (what the sidecar covers) while it is parsed.
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      fileHash.update(chunk);
      fileSize += chunk.length;
      done(null, chunk);
    },
  });
  const extract = tar.extract();
  const sink = extract as unknown as NodeJS.WritableStream;
  const feeding = (gzip ? pipeline(raw, tap, createGunzip({ chunkSize: 256 * 1024 }), sink) : pipeline(raw, tap, sink)).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  const out: ArchiveContents = { metadata: new Map(), blobs: new Map(), small: new Map(), file: { sha256: "", size: 0 } };
  const seen = new Set<string>();
  let budget = KEEP_BUDGET_BYTES;
  try {
    for await (const entry of extract) {
      const name = entryName(entry.header.name);
      const type = entry.header.type ?? "file";
      if (name.startsWith("/") || name.split("/").includes("..")) throw new ArchiveInvalidError(`entry ${JSON.stringify(name)} escapes the archive`);
      if (type === "directory") {
        entry.resume();
        continue;
      }
      if (type !== "file" && type !== "contiguous-file")
        throw new ArchiveInvalidError(`entry ${JSON.stringify(name)} is a ${type}; an image archive holds only files`);
      if (seen.has(name)) throw new ArchiveInvalidError(`entry ${JSON.stringify(name)} appears twice`);
      seen.add(name);
      const size = entry.header.size ?? 0;
      if (name === "oci-layout" || name === "index.json" || name === "manifest.json") {
        if (size > MAX_METADATA_BYTES) throw new ArchiveInvalidError(`${name} is ${size} bytes; too big to be metadata`);
        out.metadata.set(name, await readAll(entry as unknown as Readable));
        continue;
      }
      const text = blobDigestText(name);
      if (text === undefined) throw new ArchiveInvalidError(`unexpected entry ${JSON.stringify(name.slice(0, 200))}`);
      let digest: Digest;
      try {
        digest = parseDigest(text);
      } catch {
        throw new ArchiveInvalidError(`entry ${name} is not named by a valid digest`);
      }
      const keep = size <= KEEP_BLOB_BYTES && size <= budget;
      if (visit && !keep) {
        try {
          await visit(digest, size, entry as unknown as Readable);
        } catch (e) {
          // The visitor's own failure (a registry's 401, say) is the story; the stream error that
          // follows from abandoning the entry ("Premature close") is not (issue 12).
          throw new VisitorFailure(e);
        }
        out.blobs.set(digest, size);
        continue;
      }
      const hash = digester(digest);
      const chunks: Buffer[] = [];
      let got = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        hash.update(chunk);
        got += chunk.length;
        if (keep) chunks.push(chunk);
      }
      if (got !== size) throw new ArchiveInvalidError(`blob ${digest} is truncated: ${got} of ${size} bytes`);
      const actual = hash.digest();
      if (actual !== digest) throw new ArchiveInvalidError(`blob ${digest} is damaged: its ${size} bytes hash to ${actual}`);
      out.blobs.set(digest, size);
      if (keep) {
        out.small.set(digest, Buffer.concat(chunks, got));
        budget -= got;
      }
    }
  } catch (e) {
    extract.destroy();
    raw.destroy();
    if (e instanceof VisitorFailure) throw e.cause;
    if (e instanceof ArchiveInvalidError) throw e;
    const fed = await feeding;
    throw readFailure(fed instanceof Error ? fed : (e as Error));
  }
  const fed = await feeding;
  if (fed instanceof Error) throw readFailure(fed);
  out.file = { sha256: fileHash.digest("hex"), size: fileSize };
  return out;
}

/** Carries what a BlobVisitor threw past the archive's own error mapping. */
class VisitorFailure extends Error {
  constructor(override readonly cause: unknown) {
    super("blob visitor failed");
  }
}

function readFailure(e: Error): ArchiveInvalidError {
  const msg = e.message || String(e);
  if (/unexpected end|premature|truncated/i.test(msg)) return new ArchiveInvalidError(`the archive is truncated (${msg})`, { cause: e });
  if ((e as { code?: string }).code === "ENOENT") return new ArchiveInvalidError(`cannot read the archive: ${msg}`, { cause: e });
  return new ArchiveInvalidError(`the archive is not a readable tar: ${msg}`, { cause: e });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
