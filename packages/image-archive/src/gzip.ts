// Archives are plain tar or gzip, told apart by their first two bytes (never by file name: a
// `latest` link or a renamed copy says nothing about the bytes).
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

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
