// Where each blob's bytes sit in a plain tar, read from the headers alone: the data between them
// is skipped with a seek, so indexing a 2 GiB archive reads a few hundred KiB. It runs after
// readArchive hashed every byte; this pass only says where to read them again.
// Header layout: POSIX ustar (pubs.opengroup.org, "pax" utility, ustar Interchange Format), plus
// pax extended headers ('x', which tar-stream writes for long names) and GNU long names ('L').
import { open } from "node:fs/promises";
import { parseDigest, type Digest } from "@regguard/oci-client";
import { blobDigestText, entryName } from "./entry-names.js";
import { ArchiveInvalidError } from "./errors.js";

const BLOCK = 512;

/** A blob's data in the file: `size` bytes from byte `offset`. */
export interface BlobExtent {
  offset: number;
  size: number;
}

/** Offsets of every `blobs/<algo>/<hex>` entry of a plain (uncompressed) tar. */
export async function blobExtents(path: string): Promise<Map<Digest, BlobExtent>> {
  const fh = await open(path, "r");
  const out = new Map<Digest, BlobExtent>();
  const header = Buffer.alloc(BLOCK);
  try {
    const { size: fileSize } = await fh.stat();
    let pos = 0;
    let longName: string | undefined;
    let paxSize: number | undefined;
    for (;;) {
      const { bytesRead } = await fh.read(header, 0, BLOCK, pos);
      if (bytesRead < BLOCK) throw new ArchiveInvalidError(`the archive is truncated: no tar header or end marker at byte ${pos}`);
      if (header.every((b) => b === 0)) return out;
      const type = String.fromCharCode(header[156] ?? 0);
      const size = paxSize ?? octal(header.subarray(124, 136), pos);
      const data = pos + BLOCK;
      if (data + size > fileSize) throw new ArchiveInvalidError(`the archive is truncated: the entry at byte ${pos} runs past its end`);
      if (type === "x" || type === "L") {
        const body = Buffer.alloc(size);
        await fh.read(body, 0, size, data);
        if (type === "L") longName = cString(body);
        else {
          const pax = paxRecords(body);
          longName = pax.path ?? longName;
          paxSize = pax.size;
        }
      } else {
        if (type === "0" || type === "\0" || type === "7") {
          const text = blobDigestText(entryName(longName ?? ustarName(header)));
          if (text !== undefined) out.set(parseDigest(text), { offset: data, size });
        }
        longName = undefined;
        paxSize = undefined;
      }
      pos = data + Math.ceil(size / BLOCK) * BLOCK;
    }
  } finally {
    await fh.close();
  }
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end === -1 ? b.length : end).toString("utf8");
}

/** ustar splits long names into prefix (345..500) and name (0..100). */
function ustarName(h: Buffer): string {
  const name = cString(h.subarray(0, 100));
  const magic = h.subarray(257, 262).toString("latin1");
  const prefix = magic === "ustar" ? cString(h.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** Octal, NUL/space padded; or base-256 (high bit set) for sizes over 8 GiB. */
function octal(field: Buffer, at: number): number {
  if ((field[0] ?? 0) & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const text = cString(field).trim();
  if (!/^[0-7]*$/.test(text)) throw new ArchiveInvalidError(`the tar header at byte ${at} has a size that is not a number`);
  return text === "" ? 0 : parseInt(text, 8);
}

/** "<len> <key>=<value>\n" records; only path and size matter here. */
function paxRecords(body: Buffer): { path: string | undefined; size: number | undefined } {
  let path: string | undefined;
  let size: number | undefined;
  for (const line of body.toString("utf8").split("\n")) {
    const m = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (m?.[1] === "path") path = m[2];
    if (m?.[1] === "size" && /^\d+$/.test(m[2] ?? "")) size = Number(m[2]);
  }
  return { path, size };
}
