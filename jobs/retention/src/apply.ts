// Deletes what the plan says, one package at a time, never while paging: a
// package is re-listed right before its deletes and nothing else is deleted
// while that listing runs (offset paging skips rows when rows vanish).
// Anything new in the package since planning (a re-push, a new tag that may
// reference an old child) means the plan is stale there: the package is
// skipped and tomorrow's run decides afresh. A tag pushed after that re-list
// cannot be seen here (Forgejo has no conditional delete); run.ts walks such
// tags after applying, which is why this reports the packages it touched.
import { ForgejoForbiddenError, ForgejoUnauthorizedError, type ForgejoClient } from "@regguard/forgejo-client";
import type { Logger } from "@regguard/job-runtime";
import { listVersions, messageOf } from "./inventory.js";
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

type Api = Pick<ForgejoClient, "listContainerVersions" | "deleteVersion">;

/** Apply every package's deletes; never throws for a single failed delete. */
export async function applyPlan(
  api: Api, owner: string, packages: readonly PackagePlan[], opts: { concurrency: number; log: Logger; signal?: AbortSignal },
): Promise<ApplyResult> {
  const counts: ApplyCounts = { deleted: 0, "already-gone": 0, failed: 0, skipped: 0, "not-attempted": 0 };
  const touched = new Set<string>();
  const deletedDigests = new Map<string, Set<string>>();
  const count = (k: OutcomeKind, n = 1) => void (counts[k] += n);
  let stop: string | undefined;
  for (const p of packages) {
    const deletes = p.decisions.filter((d) => d.action === "delete");
    if (deletes.length === 0) continue;
    if (stop) {
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
      opts.log.warn("package changed since planning: skipped, the next run plans it afresh", { package: p.name, new: unplanned.map(([v]) => v), skipped: deletes.length });
      count("skipped", deletes.length);
      continue;
    }
    // Parents before children: an interrupted run leaves no dangling index behind.
    const ordered = [...deletes].sort((a, b) => Number(!isTagName(a.version)) - Number(!isTagName(b.version)));
    await mapLimit(ordered, opts.concurrency, async (d) => {
      if (stop) return count("not-attempted");
      const id = current.get(norm(d.version));
      if (id === undefined) return count("already-gone");
      if (id !== d.id) return count("skipped"); // re-pushed: not the version that was planned
      touched.add(p.name);
      const outcome = await deleteOne(api, owner, p.name, d, opts);
      if (outcome.stop) stop = outcome.stop;
      if (outcome.kind === "deleted" && d.digest) deletedDigests.set(p.name, (deletedDigests.get(p.name) ?? new Set()).add(d.digest));
      count(outcome.kind);
    }, opts.signal);
  }
  if (stop) opts.log.error("stopped deleting after an authorization failure", { reason: stop, notAttempted: counts["not-attempted"] });
  return { counts, touched: [...touched], deletedDigests };
}

/** name -> id of the package as listed now, or "failed". */
async function relist(api: Api, owner: string, p: PackagePlan, log: Logger, signal?: AbortSignal): Promise<Map<string, number> | "failed"> {
  try {
    // `q` is a substring match (with _ and % as wildcards): keep exact names only.
    const rows = await listVersions(api, owner, { q: p.name, ...(signal ? { signal } : {}) });
    return new Map(rows.filter((r) => norm(r.name) === p.name).map((r) => [norm(r.version), r.id]));
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    log.error("cannot re-list the package before deleting: nothing deleted in it", { package: p.name, error: messageOf(e) });
    return "failed";
  }
}

async function deleteOne(api: Api, owner: string, name: string, d: Decision, opts: { log: Logger; signal?: AbortSignal }): Promise<{ kind: OutcomeKind; stop?: string }> {
  try {
    const result = await api.deleteVersion(owner, name, d.version, opts.signal);
    opts.log.info(result === "deleted" ? "deleted" : "already gone", { package: name, version: d.version, id: d.id });
    return { kind: result };
  } catch (e) {
    const status = (e as { status?: number }).status;
    opts.log.error("delete failed", { package: name, version: d.version, id: d.id, status, error: messageOf(e) });
    // A 401/403 will not get better for the next version (field notes, retention #3).
    const auth = e instanceof ForgejoForbiddenError || e instanceof ForgejoUnauthorizedError;
    return auth ? { kind: "failed", stop: `HTTP ${status ?? "?"} deleting ${name}:${d.version}` } : { kind: "failed" };
  }
}
