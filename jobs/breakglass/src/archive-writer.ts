// Streams a plan into a tar (optionally gzipped): oci-layout, index.json,
// manifest.json, then every blob byte for byte. Layers come straight from
// the registry through a digest-verifying stream, so memory stays flat and a
// damaged or truncated layer fails the whole archive, never a destination.
import { pipeline } from "node:stream/promises";
import type { Readable, Writable } from "node:stream";
import { constants, createGzip } from "node:zlib";
import tar from "tar-stream";
import { blobPath, type ArchivePlan, type PlannedBlob } from "./plan.js";
import { DIRECTORIES, OCI_LAYOUT } from "./layout.js";
import type { Compression } from "./names.js";

/** How the writer gets layer bytes and reports progress. */
export interface WriteOptions {
  compression: Compression;
  /** A stream of the blob that errors on a digest or size mismatch. */
  openLayer(blob: PlannedBlob): Promise<Readable>;
  /** Uncompressed archive bytes produced so far. */
  onBytes?(n: number): void;
}

/** Fixed mtime: the same image always gives the same archive bytes. */
const MTIME = new Date(0);
/**
 * Layers are already compressed; level 1 gets nearly all of what gzip can
 * still save at a fraction of level 6's CPU (docs/archive-format.md).
 */
const GZIP_LEVEL = 1;

/** Write the archive to `out`; rejects with the first real cause. */
export async function writeArchive(plan: ArchivePlan, files: { indexJson: Buffer; manifestJson: Buffer }, out: Writable, opts: WriteOptions): Promise<void> {
  const pack = tar.pack();
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream> = [pack as unknown as NodeJS.ReadableStream];
  if (opts.compression === "gzip") stages.push(createGzip({ level: GZIP_LEVEL, chunkSize: 256 * 1024, strategy: constants.Z_DEFAULT_STRATEGY }));
  stages.push(out);
  const consumer = pipeline(stages as [NodeJS.ReadableStream, ...NodeJS.WritableStream[]]);
  const producer = (async () => {
    for (const dir of DIRECTORIES) await entry(pack, { name: dir, type: "directory", mode: 0o755, mtime: MTIME });
    await entry(pack, { name: "oci-layout", size: OCI_LAYOUT.length, mtime: MTIME }, [OCI_LAYOUT], opts.onBytes);
    await entry(pack, { name: "index.json", size: files.indexJson.length, mtime: MTIME }, [files.indexJson], opts.onBytes);
    await entry(pack, { name: "manifest.json", size: files.manifestJson.length, mtime: MTIME }, [files.manifestJson], opts.onBytes);
    for (const blob of plan.blobs) {
      const header = { name: blobPath(blob.digest), size: blob.size, mtime: MTIME };
      const source = blob.bytes ? [Buffer.from(blob.bytes)] : await opts.openLayer(blob);
      await entry(pack, header, source, opts.onBytes);
    }
    pack.finalize();
  })();
  const [made, written] = await Promise.allSettled([
    producer.catch((e: unknown) => {
      pack.destroy(e as Error);
      throw e;
    }),
    consumer,
  ]);
  // A destination-side failure (every sink gone) is the cause when it happened first.
  if (written.status === "rejected" && (made.status === "fulfilled" || isPackDestroyed(made.reason))) throw written.reason;
  if (made.status === "rejected") throw made.reason;
  if (written.status === "rejected") throw written.reason;
}

function isPackDestroyed(e: unknown): boolean {
  return e instanceof Error && /pack stream (destroyed|is already finalized)|tar entry destroyed|premature close/i.test(e.message);
}

/** One tar entry; resolves when tar-stream has taken all of it. */
function entry(
  pack: tar.Pack,
  header: Parameters<tar.Pack["entry"]>[0],
  source?: Iterable<Buffer> | AsyncIterable<Buffer> | Readable,
  onBytes?: (n: number) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sink: ReturnType<tar.Pack["entry"]>;
    try {
      sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    } catch (e) {
      // The pack is gone (a destination-side failure): release the registry stream too.
      (source as { destroy?: (e?: Error) => void } | undefined)?.destroy?.();
      return reject(e);
    }
    // streamx emits 'error' on destroy; the entry callback above already reports it.
    sink.on("error", () => undefined);
    if (!source) return;
    (async () => {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        onBytes?.(chunk.length);
        if (!sink.write(chunk))
          await new Promise<void>((r, j) => {
            const off = () => {
              sink.off("drain", ok);
              sink.off("close", closed);
            };
            const ok = () => {
              off();
              r();
            };
            const closed = () => {
              off();
              j(new Error("tar entry destroyed"));
            };
            sink.on("drain", ok);
            sink.on("close", closed);
          });
      }
      sink.end(undefined);
    })().catch((e: unknown) => {
      (source as { destroy?: (e?: Error) => void }).destroy?.();
      sink.destroy(e as Error);
      reject(e);
    });
  });
}
