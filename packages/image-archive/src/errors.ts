// The one error an archive reader throws. Its code keeps the breakglass prefix: the format is
// breakglass's, and log queries and runbooks already match BREAKGLASS_ARCHIVE_INVALID.
import { RegguardError } from "@regguard/edge";

/** The archive is damaged or inconsistent; the message names the first problem. */
export class ArchiveInvalidError extends RegguardError<"BREAKGLASS_ARCHIVE_INVALID"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BREAKGLASS_ARCHIVE_INVALID", message, options);
  }
}
