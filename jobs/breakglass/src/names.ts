// File names of archives. A name must never escape its directory (field
// notes: names with `/` broke the shell scripts), and `<name>-latest.tar` is
// reserved for the symlink.
import { InvalidNameError } from "./errors.js";

/** Archive output format. */
export type Compression = "none" | "gzip";

/** Every name one save writes in one destination. */
export interface ArchiveNames {
  /** Archive base name, e.g. infra-ci. */
  name: string;
  /** <name>-<tag>.tar[.gz] */
  file: string;
  /** <name>-<tag>.tar[.gz].sha256, sha256sum format. */
  sidecar: string;
  /** <name>-latest.tar[.gz]: a relative symlink in directories. */
  latest: string;
  /** <name>-latest.txt: the S3 object holding the latest archive's file name. */
  pointer: string;
  extension: ".tar" | ".tar.gz";
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Validate a name component (archive name or tag part) before it reaches a path. */
export function assertSafeName(what: string, value: string): string {
  const shown = JSON.stringify(value.slice(0, 140));
  if (/[\x00-\x1f\x7f]/.test(value)) throw new InvalidNameError(`${what} ${shown} contains control characters`);
  if (value.includes("/") || value.includes("\\")) throw new InvalidNameError(`${what} ${shown} contains a path separator`);
  if (value.includes("..")) throw new InvalidNameError(`${what} ${shown} contains ".."`);
  if (!SAFE.test(value)) throw new InvalidNameError(`${what} ${shown} must be 1-128 of letters, digits, . _ - and start with a letter or digit`);
  return value;
}

export function extensionFor(compression: Compression): ".tar" | ".tar.gz" {
  return compression === "gzip" ? ".tar.gz" : ".tar";
}

/**
 * The file-name tag part: the tag, or for `latest` (which would collide with
 * the symlink) and digest-only references `sha256-<16 hex>` of the manifest.
 */
export function tagPart(tag: string | undefined, digest: string): string {
  if (tag !== undefined && tag !== "latest") return tag;
  const hex = digest.split(":")[1] ?? "";
  return `${digest.split(":")[0]}-${hex.slice(0, 16)}`;
}

/** All names for one archive; throws InvalidNameError on anything path-like. */
export function archiveNames(name: string, tag: string, compression: Compression): ArchiveNames {
  assertSafeName("ARCHIVE_NAME", name);
  assertSafeName("tag", tag);
  if (tag === "latest") throw new InvalidNameError(`tag "latest" would collide with ${name}-latest; it is named by digest instead`);
  const extension = extensionFor(compression);
  const file = `${name}-${tag}${extension}`;
  return { name, file, sidecar: `${file}.sha256`, latest: `${name}-latest${extension}`, pointer: `${name}-latest.txt`, extension };
}

/** The tag part of an archive file of `name`, or undefined when the file is not one. */
export function archiveTagOf(name: string, file: string): string | undefined {
  const m = /^(.*)(\.tar|\.tar\.gz)$/.exec(file);
  if (!m?.[1] || !m[1].startsWith(`${name}-`)) return undefined;
  const tag = m[1].slice(name.length + 1);
  return tag !== "latest" && TAG.test(tag) ? tag : undefined;
}

/** A temporary name next to `file`: hidden, unique, never matched as an archive. */
export function tempName(file: string): string {
  return `.${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
