// What a walk reports. A registry that is broken (content findings) is kept
// apart from a walker that could not ask (request_error).
import { DigestMismatchError, InvalidManifestError, NotFoundError, OciError, SizeMismatchError, TooLargeError } from "./errors.js";

/** Finding kinds; bounded, so they are safe as a metric label. */
export const FINDING_KINDS = [
  "manifest_missing",
  "child_missing",
  "blob_missing",
  "digest_mismatch",
  "size_mismatch",
  "invalid_manifest",
  "request_error",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One problem found, with enough context to act on and no credential. */
export interface Finding {
  kind: FindingKind;
  repository: string;
  tag?: string;
  digest?: string;
  /** The index that references a missing child. */
  parent?: string;
  status?: number;
  registryCode?: string;
  message: string;
}

/** Map an error to a finding; `missing` is the kind a 404 means here. */
export function classify(
  error: unknown,
  missing: "manifest_missing" | "child_missing" | "blob_missing",
  at: Omit<Finding, "kind" | "message" | "status" | "registryCode">,
): Finding {
  const kind: FindingKind =
    error instanceof NotFoundError
      ? missing
      : error instanceof DigestMismatchError
        ? "digest_mismatch"
        : error instanceof SizeMismatchError
          ? "size_mismatch"
          : error instanceof InvalidManifestError || (error instanceof TooLargeError && missing !== "blob_missing")
            ? "invalid_manifest"
            : "request_error";
  const finding: Finding = { kind, ...at, message: error instanceof Error ? error.message : String(error) };
  if (error instanceof OciError) {
    if (error.status !== undefined) finding.status = error.status;
    if (error.registryCode !== undefined) finding.registryCode = error.registryCode;
  }
  return finding;
}
