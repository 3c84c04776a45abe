// What every destination kind (directory, S3) offers the save.
import type { ArchiveResult, Sink } from "./fanout.js";
import type { ArchiveNames } from "./names.js";

/** Where a committed archive landed and what pruning removed. */
export interface CommitResult {
  location: string;
  pruned: string[];
}

/** A destination receiving one archive: a sink first, then commit. */
export interface StagedArchive extends Sink {
  /** Verify what landed, move it into place, move latest, prune. Nothing before this is visible. */
  commit(result: ArchiveResult, keep: number): Promise<CommitResult>;
}

/** One DESTINATIONS entry. */
export interface Destination {
  readonly label: string;
  /** Prepare a temporary place for the archive; `size` is the exact size when known (plain tar). */
  stage(names: ArchiveNames, size: number | undefined): Promise<StagedArchive>;
}
