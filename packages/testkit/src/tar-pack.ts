// Archives written entry by entry for archive-reader tests (image-archive, breakglass pruning).
// tar-stream, not tar.ts's one-file writer: these entries need long (pax) names and any order.
import tar from "tar-stream";

/** One entry: a file unless `type` says otherwise (a symlink or hard link names its `linkname`). */
export interface TarEntry {
  name: string;
  body: Buffer | string;
  type?: "file" | "directory" | "symlink" | "link";
  linkname?: string;
}

/** A plain tar of `entries`, in order, built in memory. */
export async function packTar(entries: ReadonlyArray<TarEntry>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const header = { name: e.name, ...(e.type ? { type: e.type } : {}), ...(e.linkname ? { linkname: e.linkname } : {}) };
    if (e.type === "file" || e.type === undefined) pack.entry(header, e.body);
    else pack.entry(header); // no data: tar-stream ends the entry itself
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
