// Blob HEAD with a size check, and streaming GET that verifies digest and
// size as the bytes pass, so a layer of any size never sits in memory.
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { digester, type Digest } from "./digest.js";
import { DigestMismatchError, SizeMismatchError, TimeoutError } from "./errors.js";
import type { Descriptor } from "./manifest.js";
import { assertRepository } from "./ref.js";
import { expectStatus } from "./status.js";
import type { Transport } from "./transport.js";

/** HEAD a blob: its size, or NotFoundError. */
export async function headBlob(t: Transport, repository: string, digest: Digest): Promise<{ size: number | undefined }> {
  assertRepository(repository, t.readNames);
  const res = expectStatus(
    await t.send({ method: "HEAD", path: `/v2/${repository}/blobs/${digest}`, scope: `repository:${repository}:pull` }),
    [200],
    `blob ${repository}@${digest}`,
  );
  const length = Number(res.headers["content-length"]);
  return { size: Number.isFinite(length) ? length : undefined };
}

/** HEAD a blob and compare with its descriptor's size. */
export async function checkBlob(t: Transport, repository: string, d: Pick<Descriptor, "digest" | "size">): Promise<void> {
  const { size } = await headBlob(t, repository, d.digest);
  if (size !== undefined && size !== d.size) {
    throw new SizeMismatchError(`blob ${repository}@${d.digest}: descriptor says ${d.size} bytes, the registry has ${size}`);
  }
}

/** Whether a blob exists (push: skip uploads the registry already has). */
export async function blobExists(t: Transport, repository: string, digest: Digest): Promise<boolean> {
  const res = await t.send({ method: "HEAD", path: `/v2/${repository}/blobs/${digest}`, scope: `repository:${repository}:pull` });
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw expectStatus(res, [200, 404], `blob ${repository}@${digest}`);
}

/** A stream of the blob's bytes that errors if they do not match the descriptor. */
export async function openBlob(
  t: Transport,
  repository: string,
  d: Pick<Descriptor, "digest" | "size">,
  stall: StallLimit = DEFAULT_STALL_LIMIT,
): Promise<Readable> {
  assertRepository(repository, t.readNames);
  const res = await t.open({ method: "GET", path: `/v2/${repository}/blobs/${d.digest}`, scope: `repository:${repository}:pull` });
  expectStatus(res, [200], `blob ${repository}@${d.digest}`);
  if (!res.stream) throw new DigestMismatchError(`blob ${repository}@${d.digest}: empty response`);
  const verify = new VerifyStream(`blob ${repository}@${d.digest}`, d.digest, d.size);
  res.stream.on("error", (e) => verify.destroy(e));
  verify.on("close", () => res.stream?.destroy());
  guardRate(verify, `blob ${repository}@${d.digest}`, stall);
  return res.stream.pipe(verify);
}

/**
 * The slowest a blob may arrive: fewer than `bytesPerSecond` over a whole `windowMs` is a stall.
 * The idle timeout between chunks cannot see a registry that trickles a byte every two seconds,
 * which kept a save alive until the pod's deadline (issue 12).
 */
export interface StallLimit {
  bytesPerSecond: number;
  windowMs: number;
}

/** 1 KiB/s over a minute: far below any working link, far above a trickle. */
export const DEFAULT_STALL_LIMIT: StallLimit = { bytesPerSecond: 1024, windowMs: 60_000 };

function guardRate(stream: VerifyStream, what: string, limit: StallLimit): void {
  const floor = (limit.bytesPerSecond * limit.windowMs) / 1000;
  let before = 0;
  const timer = setInterval(() => {
    const moved = stream.bytesSeen - before;
    before = stream.bytesSeen;
    if (moved < floor) {
      stream.destroy(
        new TimeoutError(
          `${what}: transfer stalled: ${moved} bytes in the last ${limit.windowMs / 1000} s, below the minimum of ${limit.bytesPerSecond} bytes/s`,
        ),
      );
    }
  }, limit.windowMs);
  timer.unref();
  stream.once("close", () => clearInterval(timer));
  stream.once("end", () => clearInterval(timer));
}

/** Passes bytes through; fails at the end on a digest or size mismatch. */
export class VerifyStream extends Transform {
  private readonly hash;
  private seen = 0;
  constructor(
    private readonly what: string,
    private readonly expected: Digest,
    private readonly size: number,
  ) {
    super();
    this.hash = digester(expected);
  }
  /** Bytes that have passed through so far. */
  get bytesSeen(): number {
    return this.seen;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.size) return done(new SizeMismatchError(`${this.what}: more than the ${this.size} bytes the descriptor announces`));
    this.hash.update(chunk);
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    if (this.seen !== this.size)
      return done(new SizeMismatchError(`${this.what}: got ${this.seen} bytes, the descriptor says ${this.size} (truncated transfer?)`));
    const actual = this.hash.digest();
    if (actual !== this.expected) return done(new DigestMismatchError(`${this.what}: content hashes to ${actual}`));
    done();
  }
}
