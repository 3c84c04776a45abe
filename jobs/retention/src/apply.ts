// Deletes what the plan says, one package at a time, never while paging: a
// package is re-listed right before its deletes and nothing else is deleted
// while that listing runs (offset paging skips rows when rows vanish).
// Anything new in the package since planning (a re-push, a new tag that may
// reference an old child) means the plan is stale there: the package is
// skipped and tomorrow's run decides afresh. A tag pushed after that re-list
// cannot be seen here (Forgejo has no conditional delete); run.ts walks such
// tags after applying, which is why this reports the packages it touched.
//
// Order: every planned tag of a package is deleted (and answered) before any
// of its untagged versions is, whatever the concurrency, and the untagged
// ones only when every tag delete succeeded. The plan does not resolve what a
// deleted tag referenced, so a tag that stays (refused, re-pushed) may still
// point at any untagged version; an interrupted run must never leave a tag
// pointing at deleted children (design.md R1). Right before each untagged
// delete the version is read again: Forgejo re-creates the row on a re-push
// (a new id), and that is no longer the version that was planned.
import { ForgejoForbiddenError, ForgejoUnauthorizedError, type ForgejoClient } from "@regguard/forgejo-client";
import type { Logger } from "@regguard/job-runtime";
import { currentVersions, messageOf } from "./inventory.js";
import { mapLimit } from "./limit.js";
import type { Decision, PackagePlan } from "./model.js";
import { isTagName, norm } from "./names.js";

/** What happened to one planned delete. */
export type OutcomeKind = "deleted" | "already-gone" | "failed" | "skipped" | "not-attempted";

/** Counts of a live run's deletes. */
export type ApplyCounts = Record<OutcomeKind, number>;

/** What applying did, for the counts and for the walk afterwards. */
export interface ApplyResult {
  counts: ApplyCounts;
  /** Packages a DELETE was sent to (one that failed may still have deleted). */
  touched: string[];
  /** Per package, the digests of the versions this run deleted. */
  deletedDigests: Map<string, Set<string>>;
}

type Api = Pick<ForgejoClient, "listContainerVersions" | "deleteVersion" | "getVersion">;

/** Options; `beforeDelete` is a test seam that runs right before a version is re-read and deleted. */
export interface ApplyOptions {
  concurrency: number;
  log: Logger;
  signal?: AbortSignal;
  beforeDelete?: (pkg: string, version: string) => Promise<void>;
}

/** Apply every package's deletes; never throws for a single failed delete. */
export async function applyPlan(api: Api, owner: string, packages: readonly PackagePlan[], opts: ApplyOptions): Promise<ApplyResult> {
  const counts: ApplyCounts = { deleted: 0, "already-gone": 0, failed: 0, skipped: 0, "not-attempted": 0 };
  const touched = new Set<string>();
  const deletedDigests = new Map<string, Set<string>>();
  const count = (k: OutcomeKind, n = 1) => void (counts[k] += n);
  const state = { stop: undefined as string | undefined };
  for (const p of packages) {
    const deletes = p.decisions.filter((d) => d.action === "delete");
    if (deletes.length === 0) continue;
    if (state.stop) {
      count("not-attempted", deletes.length);
      continue;
    }
    const current = await relist(api, owner, p, opts.log, opts.signal);
    if (current === "failed") {
      count("failed", deletes.length);
      continue;
    }
    const unplanned = [...current].filter(([, id]) => !p.decisions.some((d) => d.id === id));
    if (unplanned.length > 0) {
      opts.log.warn("package changed since planning: skipped, the next run plans it afresh", {
        package: p.name,
        new: unplanned.map(([v]) => v),
        skipped: deletes.length,
      });
      count("skipped", deletes.length);
      continue;
    }
    const tags = deletes.filter((d) => isTagName(d.version));
    const untagged = deletes.filter((d) => !isTagName(d.version));
    const run = async (d: Decision, deleteIt: () => Promise<Outcome>): Promise<OutcomeKind> => {
      if (state.stop) return "not-attempted";
      const outcome = await deleteIt();
      if (outcome.sent) touched.add(p.name);
      if (outcome.stop) state.stop = outcome.stop;
      if (outcome.kind === "deleted" && d.digest) deletedDigests.set(p.name, (deletedDigests.get(p.name) ?? new Set()).add(d.digest));
      return outcome.kind;
    };
    // Phase 1: tags, all answered before phase 2 starts.
    const tagOutcomes = await mapLimit(
      tags,
      opts.concurrency,
      async (d) => {
        const id = current.get(norm(d.version));
        if (id === undefined) return "already-gone" as const;
        if (id !== d.id) return "skipped" as const; // re-pushed: not the version that was planned
        return run(d, () => deleteOne(api, owner, p.name, d, d.id, opts));
      },
      opts.signal,
    );
    for (const k of tagOutcomes) count(k);
    const stuck = tags.filter((_, i) => tagOutcomes[i] !== "deleted" && tagOutcomes[i] !== "already-gone");
    if (stuck.length > 0) {
      // Any of these tags may reference any of the untagged versions: keep them all.
      if (!state.stop) {
        opts.log.warn("tag deletes did not all succeed: the package's untagged versions are kept so no remaining tag points at deleted children", {
          package: p.name,
          tags: stuck.map((d) => d.version),
          kept: untagged.length,
        });
      }
      count(state.stop ? "not-attempted" : "skipped", untagged.length);
      continue;
    }
    // Phase 2: untagged versions only the deleted tags (or nothing) referenced.
    const untaggedOutcomes = await mapLimit(untagged, opts.concurrency, (d) => run(d, () => deleteUntagged(api, owner, p.name, d, opts)), opts.signal);
    for (const k of untaggedOutcomes) count(k);
  }
  if (state.stop) opts.log.error("stopped deleting after an authorization failure", { reason: state.stop, notAttempted: counts["not-attempted"] });
  return { counts, touched: [...touched], deletedDigests };
}

interface Outcome {
  kind: OutcomeKind;
  stop?: string;
  /** A DELETE went out (it may have deleted even when it failed). */
  sent?: true;
}

/** name -> id of the package as listed now, or "failed". */
async function relist(api: Api, owner: string, p: PackagePlan, log: Logger, signal?: AbortSignal): Promise<Map<string, number> | "failed"> {
  try {
    return await currentVersions(api, owner, p.name, signal);
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    log.error("cannot re-list the package before deleting: nothing deleted in it", { package: p.name, error: messageOf(e) });
    return "failed";
  }
}

/** Re-read the one version, then delete it only if it is still the row that was planned. */
async function deleteUntagged(api: Api, owner: string, name: string, d: Decision, opts: ApplyOptions): Promise<Outcome> {
  await opts.beforeDelete?.(name, d.version);
  let now: Awaited<ReturnType<Api["getVersion"]>>;
  try {
    now = await api.getVersion(owner, name, d.version, opts.signal);
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    opts.log.error("cannot re-read the version before deleting it: not deleted", { package: name, version: d.version, id: d.id, error: messageOf(e) });
    return { kind: "failed" };
  }
  if (now === undefined) {
    opts.log.info("already gone", { package: name, version: d.version, id: d.id });
    return { kind: "already-gone" };
  }
  if (now.id !== d.id) {
    opts.log.warn("version re-created since planning (a re-push): not deleted, the next run plans it afresh", {
      package: name,
      version: d.version,
      plannedId: d.id,
      id: now.id,
    });
    return { kind: "skipped" };
  }
  return deleteOne(api, owner, name, d, now.id, opts);
}

async function deleteOne(api: Api, owner: string, name: string, d: Decision, id: number, opts: ApplyOptions): Promise<Outcome> {
  if (isTagName(d.version)) await opts.beforeDelete?.(name, d.version);
  try {
    const result = await api.deleteVersion(owner, name, d.version, opts.signal);
    // The id is the one read right before this DELETE (the re-list for tags, the re-read for untagged).
    opts.log.info(result === "deleted" ? "deleted" : "already gone", { package: name, version: d.version, id });
    return { kind: result, sent: true };
  } catch (e) {
    const status = (e as { status?: number }).status;
    opts.log.error("delete failed", { package: name, version: d.version, id, status, error: messageOf(e) });
    // A 401/403 will not get better for the next version (docs/design.md, R3).
    const auth = e instanceof ForgejoForbiddenError || e instanceof ForgejoUnauthorizedError;
    return auth ? { kind: "failed", sent: true, stop: `HTTP ${status ?? "?"} deleting ${name}:${d.version}` } : { kind: "failed", sent: true };
  }
}
