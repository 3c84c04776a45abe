// The brake the first live run lacked: it pruned 478 -> 161 versions at once
// (docs/design.md, R7). A plan that deletes more than
// MAX_DELETE_PERCENT of any package or MAX_DELETES in total is not applied
// unless FORCE is set. Pure.
import type { PackagePlan } from "./model.js";

/** Guard limits from the configuration. */
export interface GuardLimits {
  maxDeletePercent: number;
  maxDeletes: number;
  force: boolean;
}

/** The guard's verdict; `tripped` lists every reason, `allowed` says whether to apply. */
export interface GuardResult {
  tripped: string[];
  forced: boolean;
  allowed: boolean;
}

/** Check a whole plan. */
export function checkGuard(packages: readonly PackagePlan[], limits: GuardLimits): GuardResult {
  const tripped: string[] = [];
  let total = 0;
  for (const p of packages) {
    const deletes = p.decisions.filter((d) => d.action === "delete").length;
    total += deletes;
    if (p.decisions.length === 0 || deletes === 0) continue;
    const percent = (deletes / p.decisions.length) * 100;
    if (percent > limits.maxDeletePercent) {
      tripped.push(`${p.name}: ${deletes} of ${p.decisions.length} versions (${percent.toFixed(1)}%) exceeds MAX_DELETE_PERCENT=${limits.maxDeletePercent}`);
    }
  }
  if (total > limits.maxDeletes) tripped.push(`${total} deletions in total exceeds MAX_DELETES=${limits.maxDeletes}`);
  const forced = tripped.length > 0 && limits.force;
  return { tripped, forced, allowed: tripped.length === 0 || limits.force };
}
