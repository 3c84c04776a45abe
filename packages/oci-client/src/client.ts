// The facade the jobs use: one registry, one transport, every resource.
import type { Readable } from "node:stream";
import { checkBlob, headBlob, openBlob, type StallLimit } from "./blobs.js";
import type { Digest } from "./digest.js";
import { listRepositories, listTags, tagPages } from "./listing.js";
import type { Descriptor, Manifest } from "./manifest.js";
import { checkManifest, getManifest, headManifest, type ManifestHead } from "./manifests.js";
import { pushBlob, pushBlobWith, putManifest, type BlobPushOutcome, type BlobSource, type PushBlobOptions } from "./push.js";
import { Transport, type TransportOptions, type TransportStats } from "./transport.js";

export type RegistryClientOptions = TransportOptions;

/** An OCI distribution client for one registry. */
export class RegistryClient {
  readonly transport: Transport;

  constructor(options: RegistryClientOptions) {
    this.transport = new Transport(options);
  }

  /** Base URL of the registry. */
  get url(): URL {
    return this.transport.base;
  }

  /** host[:port], the default `instance` label and archive reference host. */
  get host(): string {
    return this.transport.base.host;
  }

  get stats(): TransportStats {
    return this.transport.stats;
  }

  /** Every repository in the catalog, all pages. */
  repositories(opts: { prefix?: string; pageSize?: number } = {}): AsyncGenerator<string> {
    return listRepositories(this.transport, opts);
  }

  /** Every tag of a repository, all pages. */
  tags(repository: string, opts: { pageSize?: number } = {}): Promise<string[]> {
    return listTags(this.transport, repository, opts);
  }

  /** The tags of a repository, a page at a time. */
  tagPages(repository: string, opts: { pageSize?: number } = {}): AsyncGenerator<string[]> {
    return tagPages(this.transport, repository, opts);
  }

  headManifest(repository: string, target: string): Promise<ManifestHead> {
    return headManifest(this.transport, repository, target);
  }

  /** HEAD a manifest by digest and check digest and size against a descriptor. */
  checkManifest(repository: string, digest: Digest, size?: number): Promise<ManifestHead> {
    return checkManifest(this.transport, repository, digest, size);
  }

  /** GET, classify and verify a manifest by tag or digest. */
  manifest(repository: string, target: string): Promise<Manifest> {
    return getManifest(this.transport, repository, target);
  }

  headBlob(repository: string, digest: Digest): Promise<{ size: number | undefined }> {
    return headBlob(this.transport, repository, digest);
  }

  checkBlob(repository: string, d: Pick<Descriptor, "digest" | "size">): Promise<void> {
    return checkBlob(this.transport, repository, d);
  }

  /** Stream a blob; the stream errors on a digest or size mismatch, or when the transfer stalls (see StallLimit). */
  openBlob(repository: string, d: Pick<Descriptor, "digest" | "size">, stall?: StallLimit): Promise<Readable> {
    return openBlob(this.transport, repository, d, stall);
  }

  pushBlob(repository: string, blob: BlobSource): Promise<Digest> {
    return pushBlob(this.transport, repository, blob);
  }

  /** pushBlob with a cross-repository mount and an outcome. */
  pushBlobWith(repository: string, blob: BlobSource, opts: PushBlobOptions): Promise<BlobPushOutcome> {
    return pushBlobWith(this.transport, repository, blob, opts);
  }

  putManifest(repository: string, target: string, raw: Uint8Array, mediaType: string): Promise<Digest> {
    return putManifest(this.transport, repository, target, raw, mediaType);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
