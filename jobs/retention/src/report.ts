// How a plan and a run's outcome are shown: one JSON log line per version
// (decision and reason), a line per package, and the plan as a JSON file
// when PLAN_FILE is set. docs/runbooks/retention.md explains how to read it.
import { rename, writeFile } from "node:fs/promises";
import type { Logger } from "@regguard/job-runtime";
import type { Plan } from "./plan.js";
import { reasonText } from "./model.js";

/** Log every version's decision, each package's summary and the totals. */
export function logPlan(log: Logger, plan: Plan): void {
  for (const p of plan.packages) {
    for (const d of p.decisions) {
      log.info("plan", {
        package: p.name,
        version: d.version,
        id: d.id,
        created: new Date(d.createdAt).toISOString(),
        ...(d.digest ? { digest: d.digest } : {}),
        decision: d.action,
        reason: reasonText(d.reason),
      });
    }
    const deletes = p.decisions.filter((d) => d.action === "delete").length;
    log.info("package planned", { package: p.name, versions: p.decisions.length, keep: p.decisions.length - deletes, delete: deletes });
    if (p.frozen.length > 0) log.error("package frozen: nothing in it will be deleted", { package: p.name, problems: p.frozen });
    if (p.gone.length > 0)
      log.warn("kept versions deleted during the run (404, and no longer listed): planned without them", { package: p.name, gone: p.gone });
    for (const b of p.broken)
      log.warn("kept image is already broken (not caused by this run)", { package: p.name, root: b.root, target: b.target, error: b.message });
  }
  log.info("plan totals", { owner: plan.owner, dryRun: plan.dryRun, writeScope: scopeText(plan), inUse: plan.inUse.state, ...plan.totals });
  if (plan.guard.tripped.length > 0) {
    const msg = plan.guard.forced
      ? "guard tripped, FORCE=true: applying anyway"
      : plan.dryRun
        ? "guard would trip: a live run would refuse this plan (raise the limits or set FORCE=true for one run)"
        : "guard tripped: the plan will not be applied (set FORCE=true to override)";
    log[plan.guard.forced || plan.dryRun ? "warn" : "error"](msg, { reasons: plan.guard.tripped });
  }
}

/** The plan's word on write:package: verified by the probe, or why not. */
export function scopeText(plan: Plan): string {
  return plan.writeScope.verified ? "verified" : plan.writeScope.why;
}

/** The plan as JSON (dates as ISO strings; per version `decision`, `reason` text and `reasonKind`). */
export function planJson(plan: Plan): unknown {
  return {
    ...plan,
    rules: { keepLastN: plan.rules.keepLastN, keepTags: plan.rules.keepTags.source, untaggedGraceMs: plan.rules.untaggedGraceMs },
    packages: plan.packages.map((p) => ({
      ...p,
      // Same words as the "plan" log lines: decision and reason.
      decisions: p.decisions.map(({ action, reason, createdAt, ...d }) => ({
        ...d,
        createdAt: new Date(createdAt).toISOString(),
        decision: action,
        reason: reasonText(reason),
        reasonKind: reason.kind,
      })),
    })),
  };
}

/** Write the plan atomically (a half-written plan must never be read as a whole one). */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(planJson(plan), null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, path);
}
