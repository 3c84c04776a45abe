// verify FILE: every blob's digest and size (archive-read), the manifests and
// configs reachable from index.json, manifest.json against index.json, and
// the sha256 sidecar if there is one. The first problem ends it, precisely.
import { readFile, realpath } from "node:fs/promises";
import { parseManifest, type Descriptor, type Digest, type Manifest } from "@regguard/oci-client";
import { archivedImages, readArchive, type ArchiveContents, type ArchivedImage } from "@regguard/image-archive";
import { ArchiveInvalidError } from "./errors.js";
import { parseSidecar } from "./fsutil.js";
import { blobPath } from "./plan.js";
import { isAttestation } from "./select.js";

export type { ArchivedImage } from "@regguard/image-archive";

/** What a verified archive holds. */
export interface ArchiveSummary {
  images: ArchivedImage[];
  /** Every carried manifest with the media type to PUT it with. */
  manifests: Map<Digest, { manifest: Manifest; mediaType: string }>;
  blobs: Map<Digest, number>;
  file: { sha256: string; size: number };
  sidecar: "match" | "absent";
}

interface ImageRecord {
  digest: Digest;
  config: Digest;
  layers: Digest[];
  runnable: boolean;
}

function invalid(msg: string): never {
  throw new ArchiveInvalidError(msg);
}

/** Verify an archive file; throws ArchiveInvalidError naming the first problem. */
export async function verifyArchive(path: string): Promise<ArchiveSummary> {
  return checkContents(path, await readArchive(path));
}

/** The structure checks on what one pass read. */
export async function checkContents(path: string, c: ArchiveContents): Promise<ArchiveSummary> {
  const layout = json(c, "oci-layout") as { imageLayoutVersion?: unknown };
  if (typeof layout?.imageLayoutVersion !== "string") invalid("oci-layout has no imageLayoutVersion");
  const referenced = new Set<Digest>();
  const manifests = new Map<Digest, { manifest: Manifest; mediaType: string }>();
  const images: ImageRecord[] = [];
  const archived: ArchivedImage[] = [];

  const blob = (d: Descriptor, what: string): Buffer => {
    const size = c.blobs.get(d.digest);
    if (size === undefined) return invalid(`${what} ${d.digest} is missing from the archive`);
    if (size !== d.size) invalid(`${what} ${d.digest} is ${size} bytes, its descriptor says ${d.size}`);
    referenced.add(d.digest);
    return c.small.get(d.digest) ?? invalid(`${what} ${d.digest} is too large to be a ${what}`);
  };
  const walk = (d: Descriptor, attestation: boolean, what: string): void => {
    const raw = blob(d, "manifest");
    const m = parseDoc(c, what, () => parseManifest(raw, { what: d.digest, requestedDigest: d.digest, ...(d.mediaType ? { contentType: d.mediaType } : {}) }));
    manifests.set(d.digest, { manifest: m, mediaType: d.mediaType || m.mediaType });
    if (m.kind === "index") {
      for (const child of m.manifests) walk(child, isAttestation(child), `child of ${d.digest}`);
      return;
    }
    const cfgRaw = blob(m.config, "config");
    let cfg: { os?: unknown; rootfs?: { diff_ids?: unknown } };
    try {
      cfg = JSON.parse(cfgRaw.toString("utf8")) as typeof cfg;
    } catch {
      return invalid(`config ${m.config.digest} of ${d.digest} is not JSON`);
    }
    for (const l of m.layers) {
      if (!c.blobs.has(l.digest)) invalid(`layer ${l.digest} of ${d.digest} is missing from the archive`);
      if (c.blobs.get(l.digest) !== l.size) invalid(`layer ${l.digest} of ${d.digest} is ${c.blobs.get(l.digest)} bytes, the manifest says ${l.size}`);
      referenced.add(l.digest);
    }
    const runnable = !attestation && cfg.os !== "unknown";
    const diffIds = cfg.rootfs?.diff_ids;
    if (runnable && (!Array.isArray(diffIds) || diffIds.length !== m.layers.length)) {
      invalid(`config ${m.config.digest} of ${d.digest} lists ${Array.isArray(diffIds) ? diffIds.length : "no"} diff_ids for ${m.layers.length} layers`);
    }
    images.push({ digest: d.digest, config: m.config.digest, layers: m.layers.map((l) => l.digest), runnable });
  };
  for (const image of archivedImages(need(c.metadata, "index.json"))) {
    walk(image.descriptor, false, `manifest ${image.descriptor.digest}`);
    archived.push(image);
  }

  checkDockerManifest(c, images, new Set(archived.map((a) => a.name)));
  for (const digest of c.blobs.keys()) if (!referenced.has(digest)) invalid(`blob ${digest} is in the archive but nothing references it`);
  const sidecar = await checkSidecar(path, c.file.sha256);
  return { images: archived, manifests, blobs: c.blobs, file: c.file, sidecar };
}

function checkDockerManifest(c: ArchiveContents, images: ImageRecord[], names: Set<string>): void {
  const entries = json(c, "manifest.json");
  if (!Array.isArray(entries) || entries.length === 0) return invalid("manifest.json is not a non-empty array");
  const covered = new Set<Digest>();
  let tagged = 0;
  entries.forEach((e: unknown, i) => {
    const entry = e as { Config?: unknown; Layers?: unknown; RepoTags?: unknown };
    if (typeof entry?.Config !== "string" || !Array.isArray(entry.Layers)) return invalid(`manifest.json entry ${i} needs Config and Layers`);
    const match = images.find(
      (img) =>
        blobPath(img.config) === entry.Config &&
        img.layers.length === (entry.Layers as unknown[]).length &&
        img.layers.every((l, j) => blobPath(l) === (entry.Layers as unknown[])[j]),
    );
    if (!match) return invalid(`manifest.json entry ${i} (${entry.Config}) matches no image reachable from index.json`);
    covered.add(match.digest);
    const tags = entry.RepoTags ?? [];
    if (!Array.isArray(tags)) return invalid(`manifest.json entry ${i}: RepoTags is not an array`);
    for (const t of tags)
      if (!names.has(t as string)) invalid(`manifest.json entry ${i} is tagged ${JSON.stringify(t)}, but index.json names the image ${[...names].join(", ")}`);
    tagged += tags.length;
  });
  for (const img of images)
    if (img.runnable && !covered.has(img.digest)) invalid(`image ${img.digest} is missing from manifest.json; docker load would not load it`);
  if (tagged === 0 && [...names].some((n) => !n.includes("@"))) invalid("no manifest.json entry carries the image's name; docker load would leave it untagged");
}

/**
 * The sidecar is named after the real file, so `<name>-latest.tar` (a
 * symlink) is checked against its target's sidecar.
 */
async function checkSidecar(path: string, sha256: string): Promise<"match" | "absent"> {
  const sidecar = `${await realpath(path).catch(() => path)}.sha256`;
  const text = await readFile(sidecar, "utf8").catch(() => undefined);
  if (text === undefined) return "absent";
  const expected = parseSidecar(text);
  if (!expected) return invalid(`${sidecar} is not in sha256sum format`);
  if (expected !== sha256) invalid(`the file hashes to sha256:${sha256}, but ${sidecar} says ${expected}`);
  return "match";
}

function need(map: Map<string, Buffer>, name: string): Buffer {
  return map.get(name) ?? invalid(`${name} is missing from the archive`);
}

function json(c: ArchiveContents, name: string): unknown {
  try {
    return JSON.parse(need(c.metadata, name).toString("utf8"));
  } catch (e) {
    if (e instanceof ArchiveInvalidError) throw e;
    return invalid(`${name} is not valid JSON`);
  }
}

function parseDoc<T>(c: ArchiveContents, what: string, parse: () => T): T {
  void c;
  try {
    return parse();
  } catch (e) {
    if (e instanceof ArchiveInvalidError) throw e;
    return invalid(`${what}: ${(e as Error).message}`);
  }
}
