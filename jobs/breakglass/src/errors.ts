// Typed errors with stable codes. Operational failures (a destination, the
// source registry, a damaged archive) map to exit 1; configuration to exit 2.
import { RegguardError } from "@regguard/edge";

/** What went wrong; the stable code is BREAKGLASS_ and this, safe to match on in callers, tests and log queries. */
export type BreakglassErrorKind =
  "INVALID_NAME" | "PLATFORM_NOT_FOUND" | "UNSUPPORTED_IMAGE" | "ARCHIVE_INVALID" | "DESTINATION_FAILED" | "ALL_DESTINATIONS_FAILED" | "RESTORE_FAILED";

/** The stable code (edge/error.ts). */
export type BreakglassErrorCode = `BREAKGLASS_${BreakglassErrorKind}`;

/** Base class: a code and a message that never carries a credential. */
export class BreakglassError extends RegguardError<BreakglassErrorCode> {}

const sub = (kind: BreakglassErrorKind) =>
  class extends BreakglassError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(`BREAKGLASS_${kind}`, message, options);
    }
  };

/** An archive or tag name that could escape its directory or is not a file name. */
export class InvalidNameError extends sub("INVALID_NAME") {}
/** None of the requested platforms is in the image. */
export class PlatformNotFoundError extends sub("PLATFORM_NOT_FOUND") {}
/** An image the archive format cannot carry (docker load would refuse it). */
export class UnsupportedImageError extends sub("UNSUPPORTED_IMAGE") {}
/** verify/restore: the archive is damaged or inconsistent (its reader, @regguard/image-archive, throws it). */
export { ArchiveInvalidError } from "@regguard/image-archive";
/** One destination could not be written, verified or committed. */
export class DestinationError extends sub("DESTINATION_FAILED") {}
/** Every destination failed while the archive was being written: stop pulling. */
export class AllDestinationsFailedError extends sub("ALL_DESTINATIONS_FAILED") {}
/** restore: the target registry refused or changed what was pushed. */
export class RestoreError extends sub("RESTORE_FAILED") {}

/** A one-line reason for logs: message plus the cause's message, no stacks. */
export function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
