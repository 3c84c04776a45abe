// Deterministic pseudo-random bytes: the same seed always yields the same layer, so digests repeat.
import { createCipheriv, createHash } from "node:crypto";

/** Chunk size of generated data: big enough for throughput, small enough to stream 1 GiB layers. */
export const PRNG_CHUNK_BYTES = 256 * 1024;

/**
 * Yields `size` bytes of AES-256-CTR keystream keyed by sha256(seed): fast (GB/s), never
 * compressible, and reproducible in a second pass without keeping anything in memory.
 */
export function* seededBytes(seed: string, size: number): Generator<Buffer> {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const zeros = Buffer.alloc(PRNG_CHUNK_BYTES);
  let left = size;
  while (left > 0) {
    const n = Math.min(left, PRNG_CHUNK_BYTES);
    yield cipher.update(n === PRNG_CHUNK_BYTES ? zeros : zeros.subarray(0, n));
    left -= n;
  }
}
