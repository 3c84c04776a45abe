// Freezing a package after the keep set decided it: every planned delete becomes a keep with the
// reason, and the reasons are added to the package's problems. Pure; used wherever a later check
// (the graph's depth, what a version really holds) finds the plan cannot be trusted.
import type { PackagePlan } from "./model.js";

/** The plan with nothing deleted, `why` (non-empty) saying so. */
export function freezePlan(plan: PackagePlan, why: readonly string[]): PackagePlan {
  const first = why[0];
  if (first === undefined) return plan;
  return {
    ...plan,
    frozen: [...plan.frozen, ...why],
    decisions: plan.decisions.map((d) => (d.action === "delete" ? { ...d, action: "keep", reason: { kind: "frozen", why: first } } : d)),
  };
}
