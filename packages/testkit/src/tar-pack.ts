// Archives written entry by entry for archive-reader tests (image-archive, breakglass pruning).
// tar-stream, not tar.ts's one-file writer: these entries need long (pax) names and any order.
import tar from "tar-stream";

/** A plain tar of `entries`, in order, built in memory. */
export async function packTar(entries: ReadonlyArray<{ name: string; body: Buffer | string }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name }, e.body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
