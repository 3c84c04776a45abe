// Small, exact tar edits for damage tests (test archives are small enough to hold in memory).
import { readFile, writeFile } from "node:fs/promises";
import { Readable } from "node:stream";
import tar from "tar-stream";

/** Entry positions in a plain tar: where each header and its data start. */
export interface TarEntryAt {
  name: string;
  header: number;
  data: number;
  size: number;
}

export function tarEntries(buf: Buffer): TarEntryAt[] {
  const out: TarEntryAt[] = [];
  for (let pos = 0; pos + 512 <= buf.length;) {
    const block = buf.subarray(pos, pos + 512);
    if (block.every((b) => b === 0)) break;
    const name = block.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(block.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim() || "0", 8);
    out.push({ name, header: pos, data: pos + 512, size });
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Rewrite a tar, changing (or dropping, with null) entries; extra entries are appended. */
export async function rewriteTar(
  src: string,
  dst: string,
  edit: (name: string, data: Buffer) => Buffer | null,
  extra: Array<{ name: string; data: Buffer; type?: tar.Header["type"]; linkname?: string }> = [],
): Promise<void> {
  const extract = tar.extract();
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on("end", () => r()));
  Readable.from([await readFile(src)]).pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const parts: Buffer[] = [];
    for await (const c of entry) parts.push(c as Buffer);
    if (entry.header.type === "directory") {
      pack.entry({ ...entry.header });
      continue;
    }
    const data = edit(entry.header.name, Buffer.concat(parts));
    if (data !== null) pack.entry({ ...entry.header, size: data.length }, data);
  }
  for (const e of extra) {
    if (e.type && e.type !== "file") pack.entry({ name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) });
    else pack.entry({ name: e.name, size: e.data.length }, e.data);
  }
  pack.finalize();
  await done;
  await writeFile(dst, Buffer.concat(chunks));
}
