// restore FILE REF: verify the archive, then push it into a registry that is
// still up: blobs first (streamed from the archive), then child manifests by
// digest, then the root under the tag. The bytes are the archive's own, so
// the manifest digest is the one the pods were pinned to.
import { Readable } from "node:stream";
import type { Logger } from "@regguard/job-runtime";
import { NotFoundError, formatReference, type Digest, type Manifest, type Reference, type RegistryClient } from "@regguard/oci-client";
import { readArchive } from "@regguard/image-archive";
import { RestoreError } from "./errors.js";
import { verifyArchive, type ArchivedImage, type ArchiveSummary } from "./verify.js";

/** What a restore pushed. */
export interface RestoreReport {
  reference: string;
  digest: Digest;
  blobsPushed: number;
  blobsPresent: number;
  manifests: number;
}

/** Push an archive's image to `ref` through `client` (which points at ref's registry). */
export async function restoreArchive(path: string, client: RegistryClient, ref: Reference, log: Logger): Promise<RestoreReport> {
  const summary = await verifyArchive(path);
  const image = pick(summary, ref);
  const target = ref.tag ?? image.tag ?? image.descriptor.digest;
  if (ref.digest && ref.digest !== image.descriptor.digest) {
    throw new RestoreError(`REF asks for ${ref.digest}, the archive's image is ${image.descriptor.digest}`);
  }
  const repo = ref.repository;
  let pushed = 0;
  let present = 0;
  const upload = async (digest: Digest, size: number, open: () => Readable | Uint8Array) => {
    let opened = false;
    const source = open();
    await client.pushBlob(
      repo,
      source instanceof Uint8Array
        ? source
        : {
            digest,
            size,
            open: () => {
              // A stream out of a tar cannot be replayed: a retried upload fails and the run can be repeated.
              if (opened) throw new RestoreError(`blob ${digest}: the upload was retried, rerun restore`);
              opened = true;
              return source;
            },
          },
    );
    pushed++;
  };
  // Second pass: large blobs stream from the archive as it is read. A blob the target already
  // has (the usual state after a registry lost a manifest but kept its blobs, or any re-run) is
  // read through and dropped: the tar has to move past it either way, and wrapping an entry that
  // is then never read stalls the extract for good (issue 12: exit 13, no output).
  const contents = await readArchive(path, async (digest, size, entry) => {
    if (summary.manifests.has(digest)) return drain(entry);
    if (await exists(client, repo, digest)) {
      present++;
      return drain(entry);
    }
    const stream = Readable.from(entry as AsyncIterable<Buffer>, { objectMode: false });
    try {
      await upload(digest, size, () => stream);
    } finally {
      stream.destroy();
      entry.resume();
    }
  });
  for (const [digest, bytes] of contents.small) {
    if (summary.manifests.has(digest)) continue;
    if (await exists(client, repo, digest)) present++;
    else await upload(digest, bytes.length, () => new Uint8Array(bytes));
  }
  const done = new Set<Digest>();
  const putTree = async (digest: Digest, tag: string | undefined): Promise<void> => {
    const entry = summary.manifests.get(digest);
    if (!entry || done.has(digest)) return;
    done.add(digest);
    const m: Manifest = entry.manifest;
    if (m.kind === "index") for (const child of m.manifests) await putTree(child.digest, undefined);
    await client.putManifest(repo, tag ?? digest, m.raw, entry.mediaType);
  };
  await putTree(image.descriptor.digest, target === image.descriptor.digest ? undefined : target);
  // The tag must now serve the archive's image (a concurrent push may have won). A HEAD without
  // Docker-Content-Digest says nothing, so the manifest is read and hashed instead: a restore
  // is never reported done on a tag nobody checked.
  const head = await client.headManifest(repo, target);
  const served = head.digest ?? (await client.manifest(repo, target)).digest;
  if (served !== image.descriptor.digest) {
    throw new RestoreError(`${formatReference(ref)} now resolves to ${served}, expected ${image.descriptor.digest}`);
  }
  const report = {
    reference: `${ref.registry}/${repo}${target.includes(":") ? "@" : ":"}${target}`,
    digest: image.descriptor.digest,
    blobsPushed: pushed,
    blobsPresent: present,
    manifests: done.size,
  };
  log.info("restored", { ...report, from: image.name });
  return report;
}

/** Read a tar entry to its end without keeping it. */
async function drain(entry: Readable): Promise<void> {
  for await (const _chunk of entry as AsyncIterable<Buffer>) {
    // discarded: verifyArchive already hashed every byte in the first pass
  }
}

async function exists(client: RegistryClient, repo: string, digest: Digest): Promise<boolean> {
  try {
    await client.headBlob(repo, digest);
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}

function pick(summary: ArchiveSummary, ref: Reference): ArchivedImage {
  const [first] = summary.images;
  if (!first) throw new RestoreError("the archive names no image");
  return summary.images.find((i) => ref.tag !== undefined && i.tag === ref.tag) ?? first;
}
