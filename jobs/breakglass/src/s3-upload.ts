// Streams archive bytes into one S3 object: a single PutObject when it fits
// in one part, else a multipart upload with at most two parts in memory.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";

/** S3's minimum part size is 5 MiB; 8 MiB keeps memory small and requests few. */
export const MIN_PART_BYTES = 8 * 1024 * 1024;
/** S3 allows 10000 parts; leave headroom for a size estimate that is a little off. */
const MAX_PARTS = 9000;

/** Part size for an object of (about) `size` bytes. */
export function partSizeFor(size: number | undefined): number {
  if (size === undefined) return MIN_PART_BYTES;
  const mib = 1024 * 1024;
  return Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / mib) * mib);
}

/** One object being uploaded from a stream of chunks. */
export class ObjectUpload {
  /** The part being filled; a sent part's buffer belongs to its request. */
  private part: Buffer;
  private buffered = 0;
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private inflight: Promise<void> | undefined;
  private completed = false;
  private failure: unknown;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly partSize: number,
  ) {
    this.part = Buffer.allocUnsafe(partSize);
  }

  /** Copies `chunk` (the caller reuses it). */
  async write(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      const n = chunk.copy(this.part, this.buffered, off);
      this.buffered += n;
      off += n;
      if (this.buffered === this.partSize) await this.sendPart();
    }
  }

  /** Upload what is left and make the object appear (atomically, as S3 does). */
  async end(): Promise<void> {
    if (this.uploadId === undefined) {
      const body = this.part.subarray(0, this.buffered);
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body, ContentLength: body.length, ContentType: "application/x-tar" }),
      );
    } else {
      if (this.buffered > 0) await this.sendPart();
      await this.settle();
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: this.uploadId,
          MultipartUpload: { Parts: this.parts },
        }),
      );
    }
    this.completed = true;
  }

  /** Drop an unfinished multipart upload (best effort: some stores do not implement it). */
  async abort(): Promise<void> {
    this.buffered = 0;
    await this.inflight;
    if (this.uploadId !== undefined && !this.completed) {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId })).catch(() => undefined);
    }
  }

  get done(): boolean {
    return this.completed;
  }

  private async sendPart(): Promise<void> {
    const body = this.part.subarray(0, this.buffered);
    this.part = Buffer.allocUnsafe(this.partSize);
    this.buffered = 0;
    if (this.uploadId === undefined) {
      const created = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: "application/x-tar" }));
      this.uploadId = created.UploadId;
    }
    // One part in flight while the next fills: bounded memory, overlapped I/O.
    await this.settle();
    const PartNumber = this.parts.length + 1;
    const entry: CompletedPart = { PartNumber };
    this.parts.push(entry);
    this.inflight = this.s3
      .send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: this.uploadId,
          PartNumber,
          Body: body,
          ContentLength: body.length,
        }),
      )
      .then(
        (res) => {
          entry.ETag = res.ETag;
        },
        (e: unknown) => {
          // Kept, not thrown here: nobody awaits this promise until the next part.
          this.failure = e;
        },
      );
  }

  private async settle(): Promise<void> {
    await this.inflight;
    if (this.failure !== undefined) throw this.failure;
  }
}
