// An s3://bucket/prefix destination. The archive always streams into a
// temporary key; it is read back in full (HEAD for the size, GET for the
// sha256) and only a verified object is copied to `<name>-<tag>.tar`, so a
// failure at any point leaves the final name as it was (pruning and restores
// trust whatever carries it). Then the sidecar, then the `<name>-latest.txt`
// pointer, then pruning.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { readArchiveIdentity } from "./archive-source.js";
import type { CommitResult, Destination, StagedArchive } from "./destination.js";
import { DestinationError } from "./errors.js";
import type { ArchiveResult } from "./fanout.js";
import { sidecarLine } from "./fsutil.js";
import { archiveTagOf, tempName, type ArchiveNames } from "./names.js";
import { selectPrune, type PruneCandidate } from "./prune.js";
import { isNotFound, s3Reason } from "./s3-client.js";
import { ObjectUpload, partSizeFor } from "./s3-upload.js";

/** Single CopyObject limit; bigger objects are copied part by part (UploadPartCopy). */
const MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;
const IDENTITY_BYTES = 1024 * 1024;

export interface S3DestinationOptions {
  /** Objects above this are copied with a multipart copy (tests lower it; S3 caps CopyObject at 5 GiB). */
  maxSingleCopyBytes?: number;
}

export class S3Destination implements Destination {
  readonly maxSingleCopyBytes: number;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly prefix: string,
    readonly label: string,
    options: S3DestinationOptions = {},
  ) {
    this.maxSingleCopyBytes = options.maxSingleCopyBytes ?? MAX_COPY_BYTES;
  }

  key(file: string): string {
    return this.prefix ? `${this.prefix}/${file}` : file;
  }

  async stage(names: ArchiveNames, size: number | undefined): Promise<StagedArchive> {
    const finalKey = this.key(names.file);
    // Reach the bucket before pulling gigabytes; whether the key exists decides
    // whether a failed copy may delete what landed under the final name.
    let existed = true;
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: finalKey }));
    } catch (e) {
      if (!isNotFound(e)) throw new DestinationError(`${this.label}: cannot reach the bucket: ${s3Reason(e)}`, { cause: e });
      existed = false;
    }
    const upload = new ObjectUpload(this.s3, this.bucket, this.key(tempName(names.file)), partSizeFor(size));
    return new S3Staged(this, this.s3, names, upload, finalKey, existed);
  }
}

class S3Staged implements StagedArchive {
  readonly label: string;
  constructor(
    private readonly dest: S3Destination,
    private readonly s3: S3Client,
    private readonly names: ArchiveNames,
    private readonly upload: ObjectUpload,
    private readonly finalKey: string,
    private readonly existed: boolean,
  ) {
    this.label = dest.label;
  }

  write(chunk: Buffer): Promise<void> {
    return this.upload.write(chunk);
  }

  end(): Promise<void> {
    return this.upload.end();
  }

  async abort(): Promise<void> {
    await this.upload.abort();
    if (this.upload.done) await this.delete(this.upload.key).catch(() => undefined);
  }

  async commit(result: ArchiveResult, keep: number): Promise<CommitResult> {
    const { bucket } = this.dest;
    try {
      await this.readBack(this.upload.key, result);
    } catch (e) {
      await this.abort();
      throw e;
    }
    try {
      await this.copy(this.upload.key, this.finalKey, result.size);
      // A server-side copy of a verified object: the size closes it without downloading it again.
      await this.readBack(this.finalKey, result, false);
    } catch (e) {
      // Never leave an unverified object under a name that did not exist before.
      if (!this.existed) await this.delete(this.finalKey).catch(() => undefined);
      await this.abort();
      throw e;
    }
    await this.delete(this.upload.key);
    await this.put(this.dest.key(this.names.sidecar), sidecarLine(result.sha256, this.names.file));
    await this.put(this.dest.key(this.names.pointer), `${this.names.file}\n`);
    const pruned = await this.prune(keep);
    return { location: `s3://${bucket}/${this.finalKey}`, pruned };
  }

  /** CopyObject up to its 5 GiB limit, else a multipart copy that completes (appears) atomically. */
  private async copy(from: string, to: string, size: number): Promise<void> {
    const { bucket } = this.dest;
    const CopySource = encodeURI(`${bucket}/${from}`);
    if (size <= this.dest.maxSingleCopyBytes) {
      await this.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource }));
      return;
    }
    const partSize = Math.max(partSizeFor(size), Math.min(this.dest.maxSingleCopyBytes, 512 * 1024 * 1024));
    const created = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: to, ContentType: "application/x-tar" }));
    const UploadId = created.UploadId;
    try {
      const parts: CompletedPart[] = [];
      for (let start = 0, PartNumber = 1; start < size; start += partSize, PartNumber++) {
        const end = Math.min(start + partSize, size) - 1;
        const r = await this.s3.send(
          new UploadPartCopyCommand({ Bucket: bucket, Key: to, UploadId, PartNumber, CopySource, CopySourceRange: `bytes=${start}-${end}` }),
        );
        parts.push({ PartNumber, ETag: r.CopyPartResult?.ETag });
      }
      await this.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId })).catch(() => undefined);
      throw e;
    }
  }

  /** HEAD for the size, then (unless sizeOnly) GET and hash every byte. */
  private async readBack(key: string, expected: ArchiveResult, full = true): Promise<void> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.dest.bucket, Key: key }));
    if (head.ContentLength !== expected.size) {
      throw new DestinationError(`${this.label}: ${key} is ${head.ContentLength} bytes in the bucket, ${expected.size} were written`);
    }
    if (!full) return;
    const got = await this.s3.send(new GetObjectCommand({ Bucket: this.dest.bucket, Key: key }));
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of got.Body as Readable) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const sha256 = hash.digest("hex");
    if (size !== expected.size || sha256 !== expected.sha256) {
      throw new DestinationError(
        `${this.label}: ${key} reads back as ${size} bytes sha256:${sha256}, expected ${expected.size} bytes sha256:${expected.sha256}`,
      );
    }
  }

  private async put(key: string, body: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.dest.bucket, Key: key, Body: body, ContentType: "text/plain" }));
  }

  private async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.dest.bucket, Key: key }));
  }

  /** Newest `keep` archives of this name stay; the pointer's target always stays. */
  private async prune(keep: number): Promise<string[]> {
    const { bucket } = this.dest;
    const base = this.dest.key(`${this.names.name}-`);
    const dirPrefix = this.dest.key("");
    const candidates: PruneCandidate[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: base, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) {
        const file = o.Key?.slice(dirPrefix.length) ?? "";
        if (!o.Key || file.includes("/") || archiveTagOf(this.names.name, file) === undefined) continue;
        const head = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key, Range: `bytes=0-${IDENTITY_BYTES - 1}` }));
        if ((await readArchiveIdentity(head.Body as Readable)) !== this.names.name) continue;
        candidates.push({ file, mtimeMs: o.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const pointer = await this.s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: this.dest.key(this.names.pointer) }))
      .then(async (r) => (await r.Body?.transformToString())?.trim())
      .catch(() => undefined);
    const protect = new Set([this.names.file, ...(pointer ? [pointer] : [])]);
    const doomed = selectPrune(candidates, keep, protect);
    for (const file of doomed) {
      await this.delete(this.dest.key(file));
      await this.delete(this.dest.key(`${file}.sha256`));
    }
    return doomed;
  }
}
