// Blob and manifest uploads over the plain distribution API (POST upload, monolithic PUT ?digest=).
import { createHash } from "node:crypto";
import { PushFailedError } from "./errors.js";
import { expectStatus, PushSession, type PushTarget } from "./push-session.js";

/** A content descriptor as manifests reference it. */
export interface BlobRef {
  digest: string;
  size: number;
}

/** sha256 digest string of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Uploads a blob unless the registry already has it; `body` is called only when an upload is needed. */
export async function uploadBlob(session: PushSession, repo: string, blob: BlobRef, body: () => Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
  const head = await session.send("HEAD", `/v2/${repo}/blobs/${blob.digest}`);
  if (head.status === 200) return;
  const start = await session.send("POST", `/v2/${repo}/blobs/uploads/`);
  expectStatus(start, [202], `start upload of ${blob.digest} to ${repo}`);
  const location = start.headers.location;
  if (!location) throw new PushFailedError(`upload start for ${repo} returned no Location`, start.status);
  const url = new URL(session.resolve(location));
  url.searchParams.set("digest", blob.digest);
  const put = await session.send("PUT", url.toString(), {
    headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
    body: body(),
  });
  expectStatus(put, [201], `upload of ${blob.digest} to ${repo}`);
}

/** Pushes a blob held in memory and returns its descriptor. */
export async function pushBlob(target: PushTarget, repo: string, bytes: Uint8Array): Promise<BlobRef> {
  const session = new PushSession(target, `repository:${repo}:pull,push`);
  const ref = { digest: sha256Digest(bytes), size: bytes.length };
  await uploadBlob(session, repo, ref, () => bytes);
  return ref;
}

/** PUTs manifest bytes under `reference` (tag or digest) with `mediaType` as Content-Type; returns its digest. */
export async function putManifest(session: PushSession, repo: string, reference: string, mediaType: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256Digest(bytes);
  const res = await session.send("PUT", `/v2/${repo}/manifests/${reference}`, {
    headers: { "content-type": mediaType },
    body: bytes,
  });
  expectStatus(res, [201], `manifest PUT ${repo}:${reference}`);
  const served = res.headers["docker-content-digest"];
  if (served && served !== digest) throw new PushFailedError(`registry computed ${served} for ${repo}:${reference}, expected ${digest}`);
  return digest;
}

/** Pushes raw manifest bytes (custom or deliberately odd manifests) under a tag or digest. */
export async function pushManifest(target: PushTarget, repo: string, reference: string | undefined, mediaType: string, bytes: Uint8Array): Promise<string> {
  const session = new PushSession(target, `repository:${repo}:pull,push`);
  return putManifest(session, repo, reference ?? sha256Digest(bytes), mediaType, bytes);
}
