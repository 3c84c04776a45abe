// File names of archives. A name must never escape its directory
// (docs/design.md, R5: names with `/` broke the shell scripts), and `<name>-latest.tar` is
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

/**
 * Longest file name one save creates: the sidecar's temporary name. Most file
 * systems (and NFS exports of them) refuse names over 255 bytes, and a name
 * that fails only at the rename would fail after the whole transfer.
 */
const NAME_MAX = 255;

/**
 * The one rule for name components (archive name, tag part). Validation and
 * prune recognition both use it: a file pruning would recognise is one a save
 * could have written, and nothing else.
 */
export function isSafeName(value: string): boolean {
  return SAFE.test(value) && !value.includes("..");
}

/** Validate a name component (archive name or tag part) before it reaches a path. */
export function assertSafeName(what: string, value: string): string {
  const shown = JSON.stringify(value.slice(0, 140));
  if (/[\x00-\x1f\x7f]/.test(value)) throw new InvalidNameError(`${what} ${shown} contains control characters`);
  if (value.includes("/") || value.includes("\\")) throw new InvalidNameError(`${what} ${shown} contains a path separator`);
  if (value.includes("..")) throw new InvalidNameError(`${what} ${shown} contains ".."`);
  if (!isSafeName(value)) throw new InvalidNameError(`${what} ${shown} must be 1-128 of letters, digits, . _ - and start with a letter or digit`);
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
  const longest = Buffer.byteLength(tempName(`${file}.sha256`, MAX_PID));
  if (longest > NAME_MAX) {
    throw new InvalidNameError(
      `archive file ${JSON.stringify(file)} is too long: its temporary sidecar name would be ${longest} bytes, file systems allow ${NAME_MAX}; shorten ARCHIVE_NAME`,
    );
  }
  return { name, file, sidecar: `${file}.sha256`, latest: `${name}-latest${extension}`, pointer: `${name}-latest.txt`, extension };
}

/** Stands in for the manifest digest, unknown before the registry is read: only the tag part's shape matters. */
const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

/**
 * The names a save of `tag` (undefined for digest references) will write,
 * checked before any request: everything except the digest-derived tag part
 * is known from the configuration, and that part is always safe.
 */
export function plannedArchiveNames(name: string, tag: string | undefined, compression: Compression): ArchiveNames {
  if (tag !== undefined && tag !== "latest") {
    try {
      assertSafeName("IMAGE's tag", tag);
    } catch (e) {
      throw new InvalidNameError(
        `${(e as Error).message}; the tag becomes part of the archive file name (${name}-<tag>${extensionFor(compression)}): retag the image, or save it by digest (IMAGE=host/path@sha256:...), which names the file <name>-sha256-<16 hex>`,
      );
    }
  }
  return archiveNames(name, tagPart(tag, PLACEHOLDER_DIGEST), compression);
}

/** The tag part of an archive file of `name`, or undefined when the file is not one. */
export function archiveTagOf(name: string, file: string): string | undefined {
  const m = /^(.*)(\.tar|\.tar\.gz)$/.exec(file);
  if (!m?.[1] || !m[1].startsWith(`${name}-`)) return undefined;
  const tag = m[1].slice(name.length + 1);
  return tag !== "latest" && isSafeName(tag) ? tag : undefined;
}

/** Linux's pid_max ceiling (2^22): the widest pid a temporary name can carry. */
const MAX_PID = 4194304;

/** A temporary name next to `file`: hidden, unique, never matched as an archive. */
export function tempName(file: string, pid: number = process.pid): string {
  return `.${file}.tmp-${pid}-${Math.random().toString(36).slice(2, 10).padEnd(8, "0")}`;
}

/** The file a temporary name of ours stands for, or undefined when `entry` is not one. */
export function tempTarget(entry: string): string | undefined {
  return /^\.(.+)\.tmp-\d+-[a-z0-9]{1,8}$/.exec(entry)?.[1];
}
