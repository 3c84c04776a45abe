// Make one image present on the target, digest for digest: blobs first (streamed from the source,
// skipped when the target has them, mounted from another target repository when one is known to
// hold them), then child manifests by digest, deepest first; then the top-level manifest, by
// digest (repair) or by the tag itself (copy, which puts the tag last). So a failure at any step
// leaves no tag pointing at a half-copied image, and Forgejo, which refuses an index whose
// children it does not have, sees the children first.
//
// Every piece is checked at the target, even when the top-level manifest is already there: that
// is what repairs an image whose child lost its revision link (distribution#3324, incident D1 in
// docs/design.md), which `skopeo copy` and `crane copy` skip.
// Manifest bytes are the source's own (`Manifest.raw`, verified against the digest they were
// asked by), never re-serialised, so every digest stays the same.
import { PassThrough, pipeline, type Readable } from "node:stream";
import {
  forEachBounded,
  NotFoundError,
  SizeMismatchError,
  type Descriptor,
  type Digest,
  type Manifest,
  type RegistryClient,
  type StallLimit,
} from "@regguard/oci-client";
import type { SourceRegistry } from "./source.js";

/** What copying (or planning to copy) one image did or would do at the target. */
export interface TreeReport {
  manifestsPresent: number;
  /** Pushed, or in a dry run: would be pushed. */
  manifestsMissing: number;
  blobsPresent: number;
  blobsMissing: number;
  bytesMissing: number;
  blobsUploaded: number;
  blobsMounted: number;
  bytesUploaded: number;
}

export const emptyTreeReport = (): TreeReport => ({
  manifestsPresent: 0,
  manifestsMissing: 0,
  blobsPresent: 0,
  blobsMissing: 0,
  bytesMissing: 0,
  blobsUploaded: 0,
  blobsMounted: 0,
  bytesUploaded: 0,
});

/** Shared by every image of one run. */
export interface CopySession {
  source: SourceRegistry;
  target: RegistryClient;
  /** false: read both sides and count what is missing; send the target nothing but reads. */
  write: boolean;
  signal: AbortSignal;
  stall?: StallLimit;
  /** digest -> a target repository known to hold the blob (the mount source). */
  readonly held: Map<string, string>;
  /** `${repo}@${digest}` -> the work already under way for it, so two tags sharing a layer upload it once. */
  readonly pending: Map<string, Promise<void>>;
}

export function newSession(opts: Omit<CopySession, "held" | "pending">): CopySession {
  return { ...opts, held: new Map(), pending: new Map() };
}

/** Children and blobs of one manifest handled at once (tags are the run's unit of concurrency). */
const FAN_OUT = 4;

/** Ensure `m` and everything under it exists by digest in `dst`; counts into `report`. */
export async function ensureTree(s: CopySession, src: string, dst: string, m: Manifest, report: TreeReport): Promise<void> {
  await once(s, dst, m.digest, async () => {
    await ensureContents(s, src, dst, m, report);
    if (await hasManifest(s.target, dst, m.digest)) {
      report.manifestsPresent++;
      return;
    }
    report.manifestsMissing++;
    if (!s.write) return;
    stopIfAborted(s);
    await s.target.putManifest(dst, m.digest, m.raw, m.mediaType);
  });
}

/**
 * Ensure everything `m` references exists in `dst` (its children's trees, or its config and
 * layers), but not `m` itself: for a copy, whose tag PUT stores the top-level manifest (and on
 * Forgejo a push by digest first would leave an untagged version of it besides the tag).
 */
export async function ensureContents(s: CopySession, src: string, dst: string, m: Manifest, report: TreeReport): Promise<void> {
  if (m.kind === "index") {
    await forEachBounded(m.manifests, FAN_OUT, async (d) => ensureTree(s, src, dst, await fetchChild(s.source, src, d), report));
  } else {
    await forEachBounded([m.config, ...m.layers], FAN_OUT, (d) => ensureBlob(s, src, dst, d, report));
  }
}

async function ensureBlob(s: CopySession, src: string, dst: string, d: Descriptor, report: TreeReport): Promise<void> {
  await once(s, dst, d.digest, async () => {
    let size: number | undefined;
    try {
      size = (await s.target.headBlob(dst, d.digest)).size;
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    if (size !== undefined) {
      if (size !== d.size) throw new SizeMismatchError(`blob ${dst}@${d.digest} on the target is ${size} bytes; the manifest says ${d.size}`);
      report.blobsPresent++;
      s.held.set(d.digest, dst);
      return;
    }
    report.blobsMissing++;
    report.bytesMissing += d.size;
    if (!s.write) return;
    stopIfAborted(s);
    const mountFrom = s.held.get(d.digest);
    const outcome = await s.target.pushBlobWith(
      dst,
      { digest: d.digest, size: d.size, open: () => sourceStream(s, src, d) },
      {
        knownAbsent: true,
        ...(mountFrom !== undefined ? { mountFrom } : {}),
      },
    );
    if (outcome === "mounted") report.blobsMounted++;
    else {
      report.blobsUploaded++;
      report.bytesUploaded += d.size;
    }
    s.held.set(d.digest, dst);
  });
}

/**
 * The source blob as a stream the upload can open synchronously (and open again on a retry):
 * the source's own checks (digest, size, stall limit) end it with an error, which aborts the
 * upload, so the target never commits bytes that are not the blob.
 */
function sourceStream(s: CopySession, src: string, d: Descriptor): Readable {
  const out = new PassThrough();
  s.source.openBlob(src, d, s.stall).then(
    (input) => pipeline(input, out, () => undefined),
    (error: unknown) => out.destroy(error as Error),
  );
  return out;
}

/** GET an index child from the source and hold it to its descriptor's size. */
async function fetchChild(source: SourceRegistry, repo: string, d: Descriptor): Promise<Manifest> {
  const m = await source.manifest(repo, d.digest);
  if (m.raw.length !== d.size) throw new SizeMismatchError(`manifest ${repo}@${d.digest}: the index says ${d.size} bytes, the source serves ${m.raw.length}`);
  return m;
}

/** Whether the target serves this digest (a HEAD that answers 404 is "no"; anything else throws). */
async function hasManifest(target: RegistryClient, repo: string, digest: Digest): Promise<boolean> {
  try {
    await target.checkManifest(repo, digest);
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}

async function once(s: CopySession, repo: string, digest: string, work: () => Promise<void>): Promise<void> {
  const key = `${repo}@${digest}`;
  const running = s.pending.get(key);
  if (running) return running;
  const p = work();
  s.pending.set(key, p);
  // A failed piece may be tried again by another tag (or the next run); a done one never.
  p.catch(() => s.pending.delete(key));
  return p;
}

/** No new write starts once the run is stopped (SIGTERM): what is in flight is aborted by the clients. */
export function stopIfAborted(s: CopySession): void {
  if (s.signal.aborted) throw s.signal.reason instanceof Error ? s.signal.reason : new Error("stopped");
}
