// One manifest model, built only here: keep the raw bytes, infer the kind
// from the header and then the body (Forgejo ignores Accept and some bodies
// have no mediaType), check the digest, cap the size.
import { digestOf, parseDigest, type Digest } from "./digest.js";
import { DigestMismatchError, InvalidManifestError } from "./errors.js";
import { bareMediaType, IMAGE_TYPES, INDEX_TYPES } from "./media-types.js";

/**
 * distribution and containerd refuse manifests over 4 MiB (registry/handlers/manifests.go:
 * maxManifestBodySize; containerd's remotes limit), so anything bigger is not one we need to read.
 * 32 hostile 16 MB manifests once took the probe to 2.5 GB (issue 12).
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Objects and arrays nested deeper than this are not a manifest (a real one nests about 5 deep). */
export const MAX_MANIFEST_DEPTH = 32;

/** An OS/architecture pair of an index entry. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A content descriptor as it appears in a manifest. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

interface ManifestBase {
  /** Media type decided from header and body. */
  mediaType: string;
  digest: Digest;
  raw: Uint8Array;
  annotations?: Record<string, string>;
  subject?: Descriptor;
}
/** A single-platform image manifest. */
export interface ImageManifest extends ManifestBase {
  kind: "image";
  config: Descriptor;
  layers: Descriptor[];
}
/** An OCI index or Docker manifest list. */
export interface IndexManifest extends ManifestBase {
  kind: "index";
  manifests: Descriptor[];
}
/** Either kind. */
export type Manifest = ImageManifest | IndexManifest;

/** What the registry said about the bytes. */
export interface ManifestSource {
  contentType?: string;
  /** Docker-Content-Digest header, if any. */
  headerDigest?: string;
  /** The digest the caller asked for (a by-digest request). */
  requestedDigest?: string;
  /** For messages: repo and reference. */
  what: string;
}

/** Parse, classify and verify manifest bytes. */
export function parseManifest(raw: Uint8Array, src: ManifestSource): Manifest {
  const invalid = (why: string): never => {
    throw new InvalidManifestError(`manifest ${src.what} is invalid: ${why}`);
  };
  const digest = digestOf(raw, src.requestedDigest ?? src.headerDigest ?? "sha256:");
  for (const [label, expected] of [
    ["the requested digest", src.requestedDigest],
    ["Docker-Content-Digest", src.headerDigest],
  ] as const) {
    if (expected !== undefined && expected !== digest) {
      throw new DigestMismatchError(`manifest ${src.what}: body hashes to ${digest}, but ${label} is ${expected}`);
    }
  }
  const depth = nestingDepth(raw, MAX_MANIFEST_DEPTH);
  if (depth > MAX_MANIFEST_DEPTH) return invalid(`the JSON nests deeper than ${MAX_MANIFEST_DEPTH} levels`);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
  } catch {
    return invalid("the body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return invalid("the body is not a JSON object");
  const obj = body as Record<string, unknown>;
  const header = bareMediaType(src.contentType);
  const declared = typeof obj.mediaType === "string" ? obj.mediaType : undefined;
  const kind = decideKind(header, declared, obj, invalid);
  const mediaType =
    declared ??
    (header && [...INDEX_TYPES, ...IMAGE_TYPES].includes(header) ? header : undefined) ??
    ((kind === "index" ? INDEX_TYPES[0] : IMAGE_TYPES[0]) as string);
  const annotations = stringMap(obj.annotations);
  const subject = obj.subject === undefined ? undefined : descriptor(obj.subject, "subject", invalid);
  const base = { mediaType, digest, raw, ...(annotations ? { annotations } : {}), ...(subject ? { subject } : {}) };
  if (kind === "index") {
    if (!Array.isArray(obj.manifests)) return invalid("an index needs a manifests array");
    return { ...base, kind, manifests: obj.manifests.map((d, i) => descriptor(d, `manifests[${i}]`, invalid)) };
  }
  if (!Array.isArray(obj.layers)) return invalid("an image manifest needs a layers array");
  return {
    ...base,
    kind,
    config: descriptor(obj.config, "config", invalid),
    layers: obj.layers.map((d, i) => descriptor(d, `layers[${i}]`, invalid)),
  };
}

function decideKind(header: string | undefined, declared: string | undefined, obj: Record<string, unknown>, invalid: (w: string) => never): "image" | "index" {
  const fromType = (t: string | undefined) => (t && INDEX_TYPES.includes(t) ? "index" : t && IMAGE_TYPES.includes(t) ? "image" : undefined);
  const byBody = Array.isArray(obj.manifests) ? "index" : Array.isArray(obj.layers) || obj.config !== undefined ? "image" : undefined;
  const byDeclared = fromType(declared);
  if (obj.schemaVersion === 1 || [declared, header].some((t) => t?.startsWith("application/vnd.docker.distribution.manifest.v1")))
    invalid("Docker schema 1 manifests are not supported");
  if (byDeclared && byBody && byDeclared !== byBody) invalid(`mediaType says ${declared} but the body looks like an ${byBody}`);
  const kind = byDeclared ?? byBody ?? fromType(header);
  if (!kind) invalid(`cannot tell image from index (Content-Type ${header ?? "missing"}, no mediaType, no manifests or layers)`);
  return kind as "image" | "index";
}

function descriptor(value: unknown, where: string, invalid: (w: string) => never): Descriptor {
  if (typeof value !== "object" || value === null) return invalid(`${where} is not a descriptor`);
  const d = value as Record<string, unknown>;
  if (typeof d.digest !== "string") return invalid(`${where}.digest is missing`);
  let digest: Digest;
  try {
    digest = parseDigest(d.digest);
  } catch {
    return invalid(`${where}.digest ${JSON.stringify(d.digest.slice(0, 80))} is not a valid digest`);
  }
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) return invalid(`${where}.size is not a non-negative integer`);
  const out: Descriptor = { mediaType: typeof d.mediaType === "string" ? d.mediaType : "", digest, size: d.size };
  const p = d.platform as Record<string, unknown> | undefined;
  if (p && typeof p.os === "string" && typeof p.architecture === "string") {
    out.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === "string" ? { variant: p.variant } : {}) };
  }
  const annotations = stringMap(d.annotations);
  if (annotations) out.annotations = annotations;
  return out;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** Every digest a manifest points at directly: children, or config + layers, and its subject. */
export function referencedDescriptors(m: Manifest): Descriptor[] {
  const own = m.kind === "index" ? m.manifests : [m.config, ...m.layers];
  return m.subject ? [...own, m.subject] : own;
}

/** "os/arch[/variant]" */
export function platformString(p: Platform | undefined): string {
  if (!p) return "unknown";
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

/**
 * How deep `[` and `{` nest in JSON bytes, outside strings, scanning no further than one level
 * past `limit`: checked before JSON.parse, which would build every level of a hostile body.
 */
export function nestingDepth(raw: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
