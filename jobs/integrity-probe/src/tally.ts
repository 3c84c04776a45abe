// What one run saw, counted from the walk's events. Pure: the probe feeds
// events in, metrics and the summary read the counts out.
import { FINDING_KINDS, type FindingKind, type WalkEvent } from "@regguard/oci-client";

/** Counts of one run. */
export interface Tally {
  repositories: number;
  tags: number;
  /** Distinct manifests (per repository) served and verified, index children included. */
  manifests: number;
  indexes: number;
  /** Distinct blobs (per repository) that answered as their descriptor says. */
  blobs: number;
  findings: Record<FindingKind, number>;
  /** False when the catalog could not be read (401/403/5xx/timeout), not when it is empty. */
  catalogAccessible: boolean;
  /** Set when the walk stopped for a reason other than the catalog (a bug, or the run was stopped). */
  walkError: string | undefined;
}

/** A tally before any event. */
export function emptyTally(): Tally {
  const findings = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  return { repositories: 0, tags: 0, manifests: 0, indexes: 0, blobs: 0, findings, catalogAccessible: true, walkError: undefined };
}

/** Count one walk event into the tally. */
export function record(t: Tally, e: WalkEvent): void {
  switch (e.type) {
    case "repository":
      t.repositories++;
      break;
    case "tag":
      t.tags++;
      break;
    case "manifest":
      t.manifests++;
      if (e.kind === "index") t.indexes++;
      break;
    case "blob":
      t.blobs++;
      break;
    case "finding":
      t.findings[e.finding.kind]++;
      break;
    case "catalog_error":
      t.catalogAccessible = false;
      break;
  }
}

/**
 * Integrity failures: content findings only. A request_error means the probe
 * could not ask (timeout, 5xx after retries, refused connection), which is
 * not evidence that the registry is broken; it has its own gauge and alert.
 */
export function integrityFailures(t: Tally): number {
  return FINDING_KINDS.filter((k) => k !== "request_error").reduce((sum, k) => sum + t.findings[k], 0);
}

/** The probe did its whole job: catalog read, walk finished. */
export function runCompleted(t: Tally): boolean {
  return t.catalogAccessible && t.walkError === undefined;
}
