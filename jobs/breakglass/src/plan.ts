// The archive plan (pure): root descriptor, every blob in write order (small
// JSON blobs with their bytes, layers to stream), and docker's manifest.json.
import {
  digestOf,
  IMAGE_TYPES,
  INDEX_TYPES,
  MEDIA_TYPE,
  type Descriptor,
  type Digest,
  type ImageManifest,
  type Manifest,
  type Platform,
} from "@regguard/oci-client";
import { PlatformNotFoundError, UnsupportedImageError } from "./errors.js";
import { platformMatches, selectionText, type PlatformSelection } from "./platform.js";
import { isAttestation, type Selection } from "./select.js";

/** One blob in the archive; `bytes` for manifests/configs, undefined for layers streamed from the registry. */
export interface PlannedBlob {
  digest: Digest;
  size: number;
  mediaType: string;
  bytes?: Uint8Array;
}

/** One manifest.json entry (docker load). */
export interface DockerEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** Everything the writer needs; no I/O left to decide. */
export interface ArchivePlan {
  imageName: string;
  tag: string | undefined;
  archiveName: string;
  root: { mediaType: string; digest: Digest; size: number };
  /** The registry's digest of what IMAGE points at. */
  sourceDigest: Digest;
  trimmed: boolean;
  blobs: PlannedBlob[];
  docker: DockerEntry[];
  /** Platforms carried, e.g. linux/amd64. */
  platforms: string[];
}

/** What the source read from the registry. */
export interface PlanInput {
  imageName: string;
  tag: string | undefined;
  archiveName: string;
  root: Manifest;
  selection: Selection;
  platforms: PlatformSelection;
  /** Child manifests by digest (what childrenToFetch asked for, recursively for nested indexes). */
  manifests: ReadonlyMap<string, Manifest>;
  /** Config blob bytes by digest, for every image manifest carried. */
  configs: ReadonlyMap<string, Uint8Array>;
}

interface ImageConfig {
  os?: unknown;
  architecture?: unknown;
  variant?: unknown;
  rootfs?: { diff_ids?: unknown };
}

export const blobPath = (digest: string): string => `blobs/${digest.replace(":", "/")}`;

/** Build the plan; throws on images the two importers would refuse. */
export function buildPlan(input: PlanInput): ArchivePlan {
  const { root, selection } = input;
  let rootBytes: Uint8Array = root.raw;
  let rootType = root.mediaType;
  let top: Manifest = root;
  if (selection.kind === "single") {
    top = need(input.manifests, selection.child);
    rootBytes = top.raw;
    rootType = top.mediaType;
  } else if (selection.kind === "trimmed") {
    const body = JSON.parse(Buffer.from(root.raw).toString("utf8")) as { manifests: Array<{ digest: string }> };
    const keep = new Set(selection.kept.map((d) => d.digest));
    body.manifests = body.manifests.filter((m) => keep.has(m.digest as Digest));
    rootBytes = Buffer.from(JSON.stringify(body));
    top = { ...(root as Extract<Manifest, { kind: "index" }>), raw: rootBytes, digest: digestOf(rootBytes), manifests: selection.kept };
  }

  const blobs = new Map<string, PlannedBlob>();
  const configs: PlannedBlob[] = [];
  const layers: PlannedBlob[] = [];
  const docker: Array<DockerEntry & { platform: Platform }> = [];
  const add = (list: PlannedBlob[], b: PlannedBlob) => {
    if (!blobs.has(b.digest)) {
      blobs.set(b.digest, b);
      list.push(b);
    }
  };
  const manifests: PlannedBlob[] = [];
  add(manifests, { digest: top.digest, size: rootBytes.length, mediaType: rootType, bytes: rootBytes });

  const visitImage = (m: ImageManifest, attestation: boolean) => {
    const bytes = input.configs.get(m.config.digest);
    if (!bytes) throw new Error(`internal: config ${m.config.digest} was not read`);
    if (bytes.length !== m.config.size)
      throw new UnsupportedImageError(`config ${m.config.digest} is ${bytes.length} bytes, its manifest says ${m.config.size}`);
    add(configs, { digest: m.config.digest, size: m.config.size, mediaType: m.config.mediaType, bytes });
    for (const l of m.layers) add(layers, { digest: l.digest, size: l.size, mediaType: l.mediaType });
    const cfg = parseConfig(bytes, m.config.digest);
    if (attestation || cfg.os === "unknown") return;
    if (m.config.mediaType !== MEDIA_TYPE.ociConfig && m.config.mediaType !== MEDIA_TYPE.dockerConfig) {
      throw new UnsupportedImageError(`${m.digest} is not a container image (config media type ${m.config.mediaType || "missing"})`);
    }
    const diffIds = cfg.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== m.layers.length) {
      throw new UnsupportedImageError(
        `${m.digest}: the config lists ${Array.isArray(diffIds) ? diffIds.length : "no"} diff_ids for ${m.layers.length} layers; docker load would refuse it`,
      );
    }
    const platform = { os: String(cfg.os), architecture: String(cfg.architecture), ...(typeof cfg.variant === "string" ? { variant: cfg.variant } : {}) };
    docker.push({ Config: blobPath(m.config.digest), RepoTags: [], Layers: m.layers.map((l) => blobPath(l.digest)), platform });
  };
  const visit = (m: Manifest, attestation: boolean) => {
    if (m.kind === "image") return visitImage(m, attestation);
    for (const d of m.manifests) {
      const child = need(input.manifests, d);
      add(manifests, { digest: d.digest, size: d.size, mediaType: d.mediaType || child.mediaType, bytes: child.raw });
      visit(child, isAttestation(d));
    }
  };
  visit(top, false);

  if (docker.length === 0) throw new UnsupportedImageError(`${root.digest} carries no runnable image`);
  if (root.kind === "image" && !platformMatches(input.platforms, docker[0]?.platform)) {
    throw new PlatformNotFoundError(`IMAGE is ${platformText(docker[0]?.platform)}, not PLATFORM=${selectionText(input.platforms)}; set PLATFORM to keep it`);
  }
  // Only one entry may carry the tag: docker load would let the last one win.
  const preferred = input.platforms.all ? { os: "linux", architecture: "amd64" } : input.platforms.wanted[0];
  const primary = Math.max(
    0,
    docker.findIndex((e) => platformMatches({ all: false, wanted: preferred ? [preferred] : [] }, e.platform)),
  );
  const tagged = input.imageName.includes("@") ? [] : [input.imageName];
  return {
    imageName: input.imageName,
    tag: input.tag,
    archiveName: input.archiveName,
    root: { mediaType: rootType, digest: top.digest, size: rootBytes.length },
    sourceDigest: root.digest,
    trimmed: top.digest !== root.digest && selection.kind === "trimmed",
    blobs: [...manifests, ...configs, ...layers],
    docker: docker.map(({ platform: _p, ...e }, i) => ({ ...e, RepoTags: i === primary ? tagged : [] })),
    platforms: docker.map((e) => platformText(e.platform)),
  };
}

function need(map: ReadonlyMap<string, Manifest>, d: Descriptor): Manifest {
  const m = map.get(d.digest);
  if (!m) throw new Error(`internal: manifest ${d.digest} was not read`);
  if (m.raw.length !== d.size) throw new UnsupportedImageError(`manifest ${d.digest} is ${m.raw.length} bytes, its index says ${d.size}`);
  const expected = d.mediaType;
  if (expected && ![...INDEX_TYPES, ...IMAGE_TYPES].includes(expected))
    throw new UnsupportedImageError(`manifest ${d.digest} has unsupported media type ${expected}`);
  return m;
}

function parseConfig(bytes: Uint8Array, digest: string): ImageConfig {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as ImageConfig;
  } catch {
    // fall through
  }
  throw new UnsupportedImageError(`config ${digest} is not a JSON object`);
}

function platformText(p: Platform | undefined): string {
  return p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}` : "unknown";
}
