// An s3://bucket/prefix destination. The archive streams into the final key
// (S3 makes an object appear only when its upload completes, so a broken run
// leaves the previous object) or, when that key already exists, into a
// temporary key that is copied over it only after it verified. Verification
// reads the object back: HEAD for the size, GET for the sha256. Then the
// sidecar, then the `<name>-latest.txt` pointer, then pruning.
import {
  CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
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
import { isNotFound } from "./s3-client.js";
import { ObjectUpload, partSizeFor } from "./s3-upload.js";

/** Single CopyObject limit; bigger objects need a multipart copy. */
const MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;
const IDENTITY_BYTES = 1024 * 1024;

export class S3Destination implements Destination {
  constructor(private readonly s3: S3Client, readonly bucket: string, readonly prefix: string, readonly label: string) {}

  key(file: string): string {
    return this.prefix ? `${this.prefix}/${file}` : file;
  }

  async stage(names: ArchiveNames, size: number | undefined): Promise<StagedArchive> {
    const finalKey = this.key(names.file);
    let exists = true;
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: finalKey }));
    } catch (e) {
      if (!isNotFound(e)) throw new DestinationError(`${this.label}: cannot reach the bucket: ${(e as Error).message}`, { cause: e });
      exists = false;
    }
    const uploadKey = exists ? this.key(tempName(names.file)) : finalKey;
    return new S3Staged(this, this.s3, names, new ObjectUpload(this.s3, this.bucket, uploadKey, partSizeFor(size)), finalKey);
  }
}

class S3Staged implements StagedArchive {
  readonly label: string;
  constructor(
    private readonly dest: S3Destination, private readonly s3: S3Client, private readonly names: ArchiveNames,
    private readonly upload: ObjectUpload, private readonly finalKey: string,
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
    // A completed temporary object is ours to remove; the final key is only ever replaced after verification.
    if (this.upload.done && this.upload.key !== this.finalKey) await this.delete(this.upload.key).catch(() => undefined);
  }

  async commit(result: ArchiveResult, keep: number): Promise<CommitResult> {
    const { bucket } = this.dest;
    try {
      await this.readBack(this.upload.key, result);
      if (this.upload.key !== this.finalKey) {
        if (result.size > MAX_COPY_BYTES) throw new DestinationError(`${this.label}: replacing an existing ${result.size}-byte object needs a multipart copy, which is not implemented; delete ${this.finalKey} or use a new tag`);
        await this.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: this.finalKey, CopySource: encodeURI(`${bucket}/${this.upload.key}`) }));
        await this.readBack(this.finalKey, result, false);
        await this.delete(this.upload.key);
      }
    } catch (e) {
      await this.abort();
      throw e;
    }
    await this.put(this.dest.key(this.names.sidecar), sidecarLine(result.sha256, this.names.file));
    await this.put(this.dest.key(this.names.pointer), `${this.names.file}\n`);
    const pruned = await this.prune(keep);
    return { location: `s3://${bucket}/${this.finalKey}`, pruned };
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
      throw new DestinationError(`${this.label}: ${key} reads back as ${size} bytes sha256:${sha256}, expected ${expected.size} bytes sha256:${expected.sha256}`);
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
    const pointer = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: this.dest.key(this.names.pointer) }))
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
