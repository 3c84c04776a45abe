// The whole run's plan: every package's decisions, the guard's verdict and
// totals. Pure; this is what is printed, written to PLAN_FILE and applied.
import { checkGuard, type GuardLimits, type GuardResult } from "./guard.js";
import type { KeepRules } from "./keep-set.js";
import type { PackagePlan } from "./model.js";
import type { InUseState } from "./in-use.js";
import type { WriteScope } from "./preflight.js";

/** Counts over a plan. */
export interface PlanTotals {
  packages: number;
  versions: number;
  keep: number;
  delete: number;
  frozenPackages: number;
  broken: number;
}

/** Everything decided before anything is deleted. */
export interface Plan {
  owner: string;
  /** ISO time the keep set was evaluated at (grace periods count from here). */
  evaluatedAt: string;
  dryRun: boolean;
  /** Whether the token's write:package was probed (never in a dry run: the probe is a DELETE). */
  writeScope: WriteScope;
  /** IN_USE: off, the workloads read (counts), or unknown (a dry run only: a live run stops). */
  inUse: InUseState;
  rules: KeepRules;
  packages: PackagePlan[];
  guard: GuardResult;
  totals: PlanTotals;
}

/** Sum a plan's decisions. */
export function totalsOf(packages: readonly PackagePlan[]): PlanTotals {
  const all = packages.flatMap((p) => p.decisions);
  return {
    packages: packages.length,
    versions: all.length,
    keep: all.filter((d) => d.action === "keep").length,
    delete: all.filter((d) => d.action === "delete").length,
    frozenPackages: packages.filter((p) => p.frozen.length > 0).length,
    broken: packages.reduce((n, p) => n + p.broken.length, 0),
  };
}

/** Assemble the run's plan from per-package plans. */
export function assemblePlan(
  owner: string,
  now: number,
  run: { dryRun: boolean; writeScope: WriteScope; inUse?: InUseState },
  rules: KeepRules,
  packages: PackagePlan[],
  limits: GuardLimits,
): Plan {
  return {
    owner,
    evaluatedAt: new Date(now).toISOString(),
    dryRun: run.dryRun,
    writeScope: run.writeScope,
    inUse: run.inUse ?? { state: "off" },
    rules,
    packages,
    guard: checkGuard(packages, limits),
    totals: totalsOf(packages),
  };
}
