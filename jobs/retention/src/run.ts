// The whole job: config -> preflight -> inventory -> plan (pure) -> guard ->
// apply -> verify -> report. Returns the exit code; throws ExitError for 2.
import { ForgejoClient } from "@regguard/forgejo-client";
import { ExitError, type JobContext, type Logger } from "@regguard/job-runtime";
import { RegistryClient } from "@regguard/oci-client";
import { applyPlan, type ApplyCounts, type ApplyResult } from "./apply.js";
import { loadConfig, type RetentionConfig } from "./config.js";
import { InventoryError, RETENTION_EXIT } from "./errors.js";
import { registryResolver } from "./graph.js";
import { messageOf, takeInventory } from "./inventory.js";
import { mapLimit } from "./limit.js";
import { pushMetrics, type RunMetrics } from "./metrics.js";
import { assemblePlan, type Plan } from "./plan.js";
import { preflight } from "./preflight.js";
import { logPlan, writePlanFile } from "./report.js";
import { planPackage } from "./resolve.js";
import { verifyKept, verifyUnplanned } from "./verify.js";

/** Test seams: what happens between planning and applying, and the clock. */
export interface RunHooks {
  beforeApply?: (plan: Plan) => Promise<void>;
  now?: () => number;
}

/** Run retention once. */
export async function run(ctx: JobContext, hooks: RunHooks = {}): Promise<number> {
  const config = loadConfig(ctx.env, ctx.argv);
  const { log } = ctx;
  log.info("retention starting", {
    owner: config.owner, forgejo: config.forgejoUrl.origin, registry: config.registryUrl.origin, dryRun: config.dryRun,
    keepLastN: config.rules.keepLastN, keepTags: config.rules.keepTags.source, untaggedGraceMs: config.rules.untaggedGraceMs,
    maxDeletePercent: config.maxDeletePercent, maxDeletes: config.maxDeletes, force: config.force,
  });
  const m: RunMetrics = {
    seen: 0, kept: 0, planned: 0, deleted: 0, failed: 0, skipped: 0, frozenPackages: 0, broken: 0,
    guardTripped: false, dryRun: config.dryRun, exitCode: RETENTION_EXIT.failed, timestamp: 0,
  };
  try {
    m.exitCode = await runConfigured(config, ctx, hooks, m);
    return m.exitCode;
  } catch (e) {
    m.exitCode = e instanceof ExitError ? e.exitCode : RETENTION_EXIT.failed;
    throw e;
  } finally {
    if (config.pushgateway) {
      m.timestamp = Math.floor(Date.now() / 1000);
      await pushMetrics(config.pushgateway.url, config.pushgateway.job, config.owner, m).catch((e: unknown) =>
        log.warn("could not push metrics", { error: messageOf(e) }));
    }
  }
}

async function runConfigured(config: RetentionConfig, ctx: JobContext, hooks: RunHooks, m: RunMetrics): Promise<number> {
  const { log, signal } = ctx;
  const api = new ForgejoClient({
    baseUrl: config.forgejoUrl.toString(), token: config.token,
    onRetry: (info) => log.warn("retrying a Forgejo request", { ...info }),
  });
  const identity = await preflight(api, config.owner, signal);
  log.info("preflight: the token's user may delete the owner's versions and the token has write:package", {
    login: identity.login, as: identity.why, probed: identity.probed,
  });
  // Basic user:PAT on every /v2 request; a public Bearer realm is never followed from inside the cluster.
  const registry = new RegistryClient({
    url: config.registryUrl, username: config.registryUser ?? identity.login, password: config.token,
    pinRealm: true, concurrency: config.concurrency, signal,
  });
  try {
    const inventory = await takeInventory(api, registry, config.owner, config.concurrency, signal).catch((e: unknown) => {
      if (signal.aborted) throw signal.reason;
      throw new InventoryError(`cannot list ${config.owner}'s container versions; nothing planned or deleted: ${messageOf(e)}`, e);
    });
    const now = hooks.now?.() ?? Date.now();
    const resolve = registryResolver(registry);
    const packages = await mapLimit(inventory, config.concurrency, (p) => planPackage(p, config.rules, now, resolve, config.concurrency, signal), signal);
    const plan = assemblePlan(config.owner, now, config.dryRun, config.rules, packages, config);
    Object.assign(m, { seen: plan.totals.versions, kept: plan.totals.keep, planned: plan.totals.delete, frozenPackages: plan.totals.frozenPackages, guardTripped: plan.guard.tripped.length > 0 });
    logPlan(log, plan);
    const failures: string[] = [];
    if (config.planFile) {
      await writePlanFile(config.planFile, plan).then(
        () => log.info("plan written", { file: config.planFile }),
        (e: unknown) => failures.push(`cannot write PLAN_FILE ${config.planFile}: ${messageOf(e)}`),
      );
    }
    if (plan.totals.frozenPackages > 0) failures.push(`${plan.totals.frozenPackages} package(s) frozen: something kept could not be resolved`);
    if (config.dryRun) {
      // Nothing to refuse in a dry run: the guard's verdict is in the plan (a warning), the exit stays 0.
      log.info("dry run: nothing deleted", { wouldDelete: plan.totals.delete });
    } else if (!plan.guard.allowed) {
      failures.push("guard tripped: nothing applied");
    } else {
      await hooks.beforeApply?.(plan);
      const applied = await applyPlan(api, config.owner, plan.packages, { concurrency: config.concurrency, log, signal });
      const { counts } = applied;
      Object.assign(m, { deleted: counts.deleted + counts["already-gone"], failed: counts.failed, skipped: counts.skipped + counts["not-attempted"] });
      if (counts.failed + counts["not-attempted"] > 0) failures.push(`${counts.failed} delete(s) failed, ${counts["not-attempted"]} not attempted`);
      const kept = await verify(registry, plan, config, log, signal);
      if (kept > 0) failures.push(`${kept} broken reference(s) in kept images`);
      const unplanned = await verifyOthers(registry, plan, applied, config, log, signal);
      if (unplanned.broken > 0) failures.push(`${unplanned.broken} broken reference(s) in tags the plan did not keep (pushed during the run, or not deleted)`);
      if (unplanned.unlisted > 0) failures.push(`${unplanned.unlisted} package(s) could not be listed again after applying: tags pushed during the run are unverified`);
      m.broken = kept + unplanned.broken;
      logApplied(log, counts);
    }
    for (const f of failures) log.error(f);
    log.info("retention finished", { exitCode: failures.length > 0 ? RETENTION_EXIT.failed : RETENTION_EXIT.ok, dryRun: config.dryRun, failures });
    return failures.length > 0 ? RETENTION_EXIT.failed : RETENTION_EXIT.ok;
  } finally {
    await registry.close();
  }
}

async function verify(registry: RegistryClient, plan: Plan, config: RetentionConfig, log: Logger, signal: AbortSignal): Promise<number> {
  const result = await verifyKept(registry, plan.packages, config.concurrency, signal);
  for (const f of result.findings) {
    log.error(f.preExisting ? "kept image is broken (it already was before this run)" : "KEPT IMAGE BROKEN AFTER APPLYING", { ...f });
  }
  log.info("verified kept tags", { tags: result.tagsWalked, findings: result.findings.length });
  return result.findings.length;
}

/** Walks the tags of touched packages that the plan did not keep; see verifyUnplanned. */
async function verifyOthers(
  registry: RegistryClient, plan: Plan, applied: ApplyResult, config: RetentionConfig, log: Logger, signal: AbortSignal,
): Promise<{ broken: number; unlisted: number }> {
  const touched = plan.packages.filter((p) => applied.touched.includes(p.name));
  const result = await verifyUnplanned(registry, touched, applied.deletedDigests, config.concurrency, signal);
  for (const e of result.listErrors) log.error("cannot list the package's tags after applying: tags pushed during the run are not verified", { ...e });
  for (const f of result.findings) {
    log.error(f.since === "new" ? "TAG PUSHED DURING THE RUN IS BROKEN AFTER APPLYING" : "TAG PLANNED FOR DELETION IS STILL THERE AND BROKEN AFTER APPLYING", { ...f });
  }
  log.info("verified tags the plan did not keep", { packages: touched.length, tags: result.tagsWalked, findings: result.findings.length });
  return { broken: result.findings.length, unlisted: result.listErrors.length };
}

function logApplied(log: Logger, counts: ApplyCounts): void {
  log.info("applied", { ...counts });
}
