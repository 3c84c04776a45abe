// The errors an archive reader throws. ArchiveInvalidError's code keeps the breakglass prefix: the
// format is breakglass's, and log queries and runbooks already match BREAKGLASS_ARCHIVE_INVALID;
// ArchiveSpoolError takes the same prefix.
import { RegguardError } from "@regguard/edge";

/** The archive is damaged or inconsistent; the message names the first problem. */
export class ArchiveInvalidError extends RegguardError<"BREAKGLASS_ARCHIVE_INVALID"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BREAKGLASS_ARCHIVE_INVALID", message, options);
  }
}

/**
 * A sound gzip archive could not be decompressed to $TMPDIR (no room, a read-only or missing
 * directory): the archive is not at fault, the machine is. The message says where and why.
 */
export class ArchiveSpoolError extends RegguardError<"BREAKGLASS_ARCHIVE_SPOOL_FAILED"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BREAKGLASS_ARCHIVE_SPOOL_FAILED", message, options);
  }
}
