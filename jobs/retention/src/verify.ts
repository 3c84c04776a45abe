// After deleting, every kept tag is walked like a pull would (manifest,
// children, config and layer blobs). The go-live review of the shell version
// checked running pods, which cannot see index -> child references
// (docs/design.md, R1); this checks what the registry actually serves.
import { walkImage, type Finding, type RegistryClient } from "@regguard/oci-client";
import { messageOf } from "./inventory.js";
import { mapLimit } from "./limit.js";
import type { PackagePlan } from "./model.js";
import { isTagName, norm } from "./names.js";

/** A finding, and whether the plan already knew the image was broken. */
export interface VerifyFinding extends Finding {
  preExisting: boolean;
}

/** What the walk found. */
export interface VerifyResult {
  tagsWalked: number;
  /** What is broken: a 404, a digest or size that does not match, a manifest that is not one. */
  findings: VerifyFinding[];
  /**
   * What could not be read (5xx, timeout, refused): not known to be broken, not known to be
   * whole. Never counted as broken: a /v2 answering 500 is an outage, not a deleted child.
   */
  unverified: Finding[];
}

/** A walk finding that says the registry did not answer, rather than that something is missing. */
export const isUnverified = (f: Finding): boolean => f.kind === "request_error";

/** Walk every kept tag of every package. */
export async function verifyKept(registry: RegistryClient, packages: readonly PackagePlan[], concurrency: number, signal?: AbortSignal): Promise<VerifyResult> {
  const targets = packages.flatMap((p) => p.decisions.filter((d) => d.action === "keep" && isTagName(d.version)).map((d) => ({ p, tag: d.version })));
  const unverified: Finding[] = [];
  const perTag = await mapLimit(
    targets,
    concurrency,
    async ({ p, tag }) => {
      const out: VerifyFinding[] = [];
      const known = new Set(p.broken.map((b) => b.target));
      for await (const event of walkImage(registry, p.repository, tag, { checkBlobs: true, concurrency })) {
        if (event.type !== "finding") continue;
        if (isUnverified(event.finding)) {
          unverified.push(event.finding);
          continue;
        }
        const target = event.finding.digest ?? event.finding.tag ?? "";
        out.push({ ...event.finding, preExisting: known.has(target) });
      }
      return out;
    },
    signal,
  );
  return { tagsWalked: targets.length, findings: perTag.flat(), unverified };
}

/** A broken tag the plan did not keep, and whether this run deleted what it is missing. */
export interface UnplannedFinding extends Finding {
  /** `new`: not listed at plan time (pushed during the run); `planned-delete`: the plan deleted it, yet it is there. */
  since: "new" | "planned-delete";
  deletedByThisRun: boolean;
}

/** What the walk of the tags the plan did not keep found. */
export interface UnplannedResult {
  tagsWalked: number;
  findings: UnplannedFinding[];
  /** What could not be read; see VerifyResult. */
  unverified: Finding[];
  /** Packages whose tags could not be listed again: whatever was pushed there is unverified. */
  listErrors: Array<{ package: string; error: string }>;
}

/**
 * Walk every tag a touched package has now that the plan did not keep. The
 * re-list before a package's deletes cannot see a tag pushed after it: CI
 * can tag a new index over an old `sha256:` child in that window, and the
 * child's delete then breaks the new tag. A planned tag whose delete failed
 * or that was re-pushed is walked too (its children may be gone).
 */
export async function verifyUnplanned(
  registry: RegistryClient,
  packages: readonly PackagePlan[],
  deletedDigests: ReadonlyMap<string, ReadonlySet<string>>,
  concurrency: number,
  signal?: AbortSignal,
): Promise<UnplannedResult> {
  const listErrors: UnplannedResult["listErrors"] = [];
  const listed = await mapLimit(
    packages,
    concurrency,
    async (p) => {
      const tags = await registry.tags(p.repository).then(
        (t) => t.map(norm),
        (e: unknown) => {
          // A repository whose every tag is gone answers NAME_UNKNOWN, which the client already
          // reads as an empty list (oci-client listing.ts). Any other failure, a bare 404 from a
          // proxy or one after the first page included, leaves tags unverified: say so.
          listErrors.push({ package: p.name, error: messageOf(e) });
          return [];
        },
      );
      const kept = new Set(p.decisions.filter((d) => d.action === "keep").map((d) => norm(d.version)));
      const planned = new Set(p.decisions.map((d) => norm(d.version)));
      return tags
        .filter((t) => isTagName(t) && !kept.has(t))
        .map((tag) => ({ p, tag, since: planned.has(tag) ? ("planned-delete" as const) : ("new" as const) }));
    },
    signal,
  );
  const targets = listed.flat();
  const unverified: Finding[] = [];
  const perTag = await mapLimit(
    targets,
    concurrency,
    async ({ p, tag, since }) => {
      const gone = deletedDigests.get(p.name) ?? new Set<string>();
      const out: UnplannedFinding[] = [];
      for await (const event of walkImage(registry, p.repository, tag, { checkBlobs: true, concurrency })) {
        if (event.type !== "finding") continue;
        if (isUnverified(event.finding)) {
          unverified.push(event.finding);
          continue;
        }
        out.push({ ...event.finding, since, deletedByThisRun: event.finding.digest !== undefined && gone.has(event.finding.digest) });
      }
      return out;
    },
    signal,
  );
  return { tagsWalked: targets.length, findings: perTag.flat(), unverified, listErrors };
}
