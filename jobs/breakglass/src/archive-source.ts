// Reading archives back: plain or gzip (by magic bytes, not by name), and a
// cheap look at the head to learn which archive series a file belongs to.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { ANNOTATION } from "./layout.js";

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(head: Uint8Array): boolean {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** Whether a file starts with the gzip magic. */
export async function fileIsGzip(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && isGzip(head);
  } finally {
    await fh.close();
  }
}

/** A stream that gunzips when the first bytes say gzip. */
export async function gunzipIfNeeded(source: Readable): Promise<Readable> {
  const it = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  const rest = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
    { objectMode: false },
  );
  if (!isGzip(head)) return rest;
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(rest, gunzip).catch(() => undefined);
  return gunzip;
}

/** Open an archive file, decompressing if needed. */
export async function openArchive(path: string): Promise<Readable> {
  const raw = createReadStream(path, { highWaterMark: 1024 * 1024 });
  if (!(await fileIsGzip(path))) return raw;
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(raw, gunzip).catch(() => undefined);
  return gunzip;
}

/** Entries looked at before giving up: directories, oci-layout, index.json come first. */
const HEAD_ENTRIES = 6;

/**
 * The archive series (ARCHIVE_NAME) recorded in index.json, or undefined when
 * the head is not a breakglass archive. Pruning deletes nothing it cannot
 * attribute this way (a file `infra-ci-x.tar` might belong to `infra`).
 */
export async function readArchiveIdentity(source: Readable): Promise<string | undefined> {
  let stream: Readable | undefined;
  const extract = tar.extract();
  let seen = 0;
  try {
    stream = await gunzipIfNeeded(source);
    stream.on("error", (e) => extract.destroy(e));
    stream.pipe(extract);
    for await (const entry of extract) {
      if (entry.header.name === "index.json" && (entry.header.size ?? 0) < 1024 * 1024) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        const index = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { annotations?: Record<string, unknown> };
        const name = index.annotations?.[ANNOTATION.archiveName];
        return typeof name === "string" ? name : undefined;
      }
      entry.resume();
      if (++seen >= HEAD_ENTRIES) return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    stream?.destroy();
    source.destroy();
    extract.destroy();
  }
}
