// Deterministic gzipped tar layers: measured in a first streaming pass, regenerated for upload.
import { createHash, type Hash } from "node:crypto";
import { gzipStored, gzipStoredSize } from "./gzip-stored.js";
import { seededBytes } from "./prng.js";
import { tarOneFile } from "./tar.js";

/** Layers up to this size are kept in memory after measuring, so small pushes generate once. */
export const LAYER_MEMORY_LIMIT_BYTES = 8 * 1024 * 1024;

/** A layer's identity: what the manifest (digest, size) and the config (diffId) need. */
export interface LayerInfo {
  digest: string;
  size: number;
  diffId: string;
}

/** Recipe of one layer: the same seed/size/index always gives byte-identical output. */
export interface LayerSpec {
  seed: string;
  size: number;
  index: number;
}

function tarSize(size: number): number {
  return 512 + Math.ceil(size / 512) * 512 + 1024;
}

function* tap(gen: Iterable<Buffer>, hash: Hash): Generator<Buffer> {
  for (const b of gen) {
    hash.update(b);
    yield b;
  }
}

/** The gzipped tar bytes of a layer: one file `layer-<index>.bin` holding `size` seeded random bytes. */
export function layerBytes(spec: LayerSpec, diffHash?: Hash): Generator<Buffer> {
  const tar = tarOneFile(`layer-${spec.index}.bin`, spec.size, seededBytes(`${spec.seed}/layer/${spec.index}`, spec.size));
  return gzipStored(diffHash ? tap(tar, diffHash) : tar, tarSize(spec.size));
}

/** Async view of a generator that yields to the event loop now and then (in-process servers keep answering). */
export async function* yielding(gen: Iterable<Buffer>): AsyncGenerator<Buffer> {
  let n = 0;
  for (const b of gen) {
    yield b;
    if (++n % 64 === 0) await new Promise((r) => setImmediate(r));
  }
}

/** First pass: digest, size and diff_id of a layer, plus its bytes when small enough to keep. */
export async function measureLayer(spec: LayerSpec): Promise<LayerInfo & { bytes?: Buffer }> {
  const size = gzipStoredSize(tarSize(spec.size));
  const keep = size <= LAYER_MEMORY_LIMIT_BYTES;
  const diff = createHash("sha256");
  const digest = createHash("sha256");
  const chunks: Buffer[] = [];
  for await (const b of yielding(layerBytes(spec, diff))) {
    digest.update(b);
    if (keep) chunks.push(Buffer.from(b)); // cipher output buffers may be reused: copy
  }
  const info: LayerInfo = { digest: `sha256:${digest.digest("hex")}`, size, diffId: `sha256:${diff.digest("hex")}` };
  return keep ? { ...info, bytes: Buffer.concat(chunks, size) } : info;
}
