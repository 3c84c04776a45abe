// Small push support: monolithic blob uploads and manifest PUTs, so tests,
// the demo and breakglass restore can write real images.
import type { Readable } from "node:stream";
import { digestOf, type Digest } from "./digest.js";
import { DigestMismatchError, ProtocolError } from "./errors.js";
import { blobExists } from "./blobs.js";
import { assertRepository, assertTarget } from "./ref.js";
import { expectStatus } from "./status.js";
import type { Transport } from "./transport.js";

/** A blob to upload: bytes, or a stream factory with its digest and size. */
export type BlobSource = Uint8Array | { digest: Digest; size: number; open: () => Readable };

/** How pushBlob may save the upload. */
export interface PushBlobOptions {
  /**
   * A repository of the same registry that has the blob: ask for a cross-repository mount first
   * (distribution spec, "Mounting a blob from another repository"). A registry that cannot mount
   * answers 202 with an upload session, which the upload then uses.
   */
  mountFrom?: string;
  /** The caller knows the blob is absent: skip the HEAD. */
  knownAbsent?: boolean;
}

/** How a blob got there. */
export type BlobPushOutcome = "present" | "mounted" | "uploaded";

/** Upload a blob unless the registry already has it; returns its digest. */
export async function pushBlob(t: Transport, repository: string, blob: BlobSource): Promise<Digest> {
  const digest = blob instanceof Uint8Array ? digestOf(blob) : blob.digest;
  await pushBlobWith(t, repository, blob, {});
  return digest;
}

/** pushBlob that says whether the blob was already there, mounted or uploaded. */
export async function pushBlobWith(t: Transport, repository: string, blob: BlobSource, opts: PushBlobOptions): Promise<BlobPushOutcome> {
  assertRepository(repository);
  const digest = blob instanceof Uint8Array ? digestOf(blob) : blob.digest;
  if (!opts.knownAbsent && (await blobExists(t, repository, digest))) return "present";
  const scope =
    opts.mountFrom !== undefined && opts.mountFrom !== repository
      ? `repository:${repository}:pull,push repository:${opts.mountFrom}:pull`
      : `repository:${repository}:pull,push`;
  const mount =
    opts.mountFrom !== undefined && opts.mountFrom !== repository ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(opts.mountFrom)}` : "";
  if (mount) assertRepository(opts.mountFrom as string);
  const start = expectStatus(
    await t.send({ method: "POST", path: `/v2/${repository}/blobs/uploads/${mount}`, scope }),
    mount ? [201, 202] : [202],
    `upload to ${repository}`,
  );
  if (start.status === 201) return "mounted";
  const location = start.headers.location;
  if (!location) throw new ProtocolError(`upload to ${repository}: the registry gave no Location`, { url: start.url });
  const url = new URL(location, t.base);
  url.searchParams.set("digest", digest);
  const size = blob instanceof Uint8Array ? blob.length : blob.size;
  expectStatus(
    await t.send({
      method: "PUT",
      path: url.toString(),
      scope,
      headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      body: blob instanceof Uint8Array ? blob : blob.open,
    }),
    [201],
    `upload of ${repository}@${digest}`,
  );
  return "uploaded";
}

/** PUT a manifest under a tag or its digest; verifies the registry's digest. */
export async function putManifest(t: Transport, repository: string, target: string, raw: Uint8Array, mediaType: string): Promise<Digest> {
  assertRepository(repository);
  assertTarget(target);
  const digest = digestOf(raw);
  if (target.includes(":") && target !== digest) {
    throw new DigestMismatchError(`manifest for ${repository}@${target}: the body hashes to ${digest}`);
  }
  const res = expectStatus(
    await t.send({
      method: "PUT",
      path: `/v2/${repository}/manifests/${target}`,
      scope: `repository:${repository}:pull,push`,
      headers: { "content-type": mediaType },
      body: raw,
    }),
    [201, 200],
    `manifest ${repository}:${target}`,
  );
  const served = res.headers["docker-content-digest"];
  if (served && served !== digest) throw new DigestMismatchError(`manifest ${repository}:${target}: registry stored it as ${served}, expected ${digest}`);
  return digest;
}
