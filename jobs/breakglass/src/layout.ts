// The files around the blobs (docs/archive-format.md): oci-layout and index.json
// for containerd, manifest.json for docker load. Written first in the tar so
// a reader knows what follows; the identity annotation lets pruning prove a
// file is ours before deleting it.
import { MEDIA_TYPE } from "@regguard/oci-client";
import { ANNOTATION } from "@regguard/image-archive";
import type { ArchivePlan } from "./plan.js";

export { ANNOTATION } from "@regguard/image-archive";

export const OCI_LAYOUT = Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" }));

/** index.json and manifest.json bytes for a plan. */
export function layoutFiles(plan: ArchivePlan): { indexJson: Buffer; manifestJson: Buffer } {
  const annotations: Record<string, string> = { [ANNOTATION.imageName]: plan.imageName };
  if (plan.tag !== undefined) annotations[ANNOTATION.refName] = plan.tag;
  const top: Record<string, string> = { [ANNOTATION.archiveName]: plan.archiveName };
  if (plan.root.digest !== plan.sourceDigest) top[ANNOTATION.sourceDigest] = plan.sourceDigest;
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociIndex,
    manifests: [{ mediaType: plan.root.mediaType, digest: plan.root.digest, size: plan.root.size, annotations }],
    annotations: top,
  };
  return { indexJson: Buffer.from(JSON.stringify(index)), manifestJson: Buffer.from(JSON.stringify(plan.docker)) };
}

/** Directory entries, so extracting tools find the tree they expect. */
export const DIRECTORIES = ["blobs/", "blobs/sha256/"];

const BLOCK = 512;
const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Exact size of the plain tar: headers, padded data, 1024-byte end marker. */
export function tarSize(plan: ArchivePlan, files: { indexJson: Buffer; manifestJson: Buffer }): number {
  let total = DIRECTORIES.length * BLOCK;
  for (const size of [OCI_LAYOUT.length, files.indexJson.length, files.manifestJson.length, ...plan.blobs.map((b) => b.size)]) {
    total += BLOCK + padded(size);
  }
  return total + 2 * BLOCK;
}

/** Bytes of file content (what progress counts): metadata plus every blob. */
export function contentSize(plan: ArchivePlan, files: { indexJson: Buffer; manifestJson: Buffer }): number {
  return OCI_LAYOUT.length + files.indexJson.length + files.manifestJson.length + plan.blobs.reduce((n, b) => n + b.size, 0);
}
