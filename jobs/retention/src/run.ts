// The whole job: config -> preflight -> inventory -> plan (pure) -> guard ->
// apply -> verify -> report. Returns the exit code; throws ExitError for 2.
import { ForgejoClient } from "@regguard/forgejo-client";
import { ExitError, type JobContext, type Logger } from "@regguard/job-runtime";
import { RegistryClient, type Finding } from "@regguard/oci-client";
import { applyPlan, type ApplyCounts, type ApplyResult } from "./apply.js";
import { loadConfig, type RetentionConfig } from "./config.js";
import { InUseUnknownError, InventoryError, RETENTION_EXIT } from "./errors.js";
import { readInUse } from "./in-use.js";
import { registryResolver } from "./graph.js";
import { checkCandidates } from "./content-check.js";
import { currentVersions, messageOf, takeInventory } from "./inventory.js";
import { mapLimit } from "./limit.js";
import { pushMetrics, type RunMetrics } from "./metrics.js";
import { assemblePlan, type Plan } from "./plan.js";
import { preflight } from "./preflight.js";
import { logPlan, writePlanFile } from "./report.js";
import { planPackage, type Relister } from "./resolve.js";
import { verifyKept, verifyUnplanned } from "./verify.js";

/** Test seams: windows between the steps (the plan, each delete), and the clock. */
export interface RunHooks {
  /** After the inventory, before anything is resolved for the plan. */
  afterInventory?: () => Promise<void>;
  beforeApply?: (plan: Plan) => Promise<void>;
  /** Right before a version is (re-read and) deleted. */
  beforeDelete?: (pkg: string, version: string) => Promise<void>;
  now?: () => number;
}

/** Run retention once. */
export async function run(ctx: JobContext, hooks: RunHooks = {}): Promise<number> {
  const config = loadConfig(ctx.env, ctx.argv);
  const { log } = ctx;
  log.info("retention starting", {
    owner: config.owner,
    forgejo: config.forgejoUrl.origin,
    registry: config.registryUrl.origin,
    dryRun: config.dryRun,
    keepLastN: config.rules.keepLastN,
    keepTags: config.rules.keepTags.source,
    untaggedGraceMs: config.rules.untaggedGraceMs,
    maxDeletePercent: config.maxDeletePercent,
    maxDeletes: config.maxDeletes,
    force: config.force,
    inUse: config.inUse.mode,
  });
  const m: RunMetrics = {
    seen: 0,
    kept: 0,
    planned: 0,
    deleted: 0,
    failed: 0,
    skipped: 0,
    frozenPackages: 0,
    broken: 0,
    unverified: 0,
    guardTripped: false,
    dryRun: config.dryRun,
    exitCode: RETENTION_EXIT.failed,
    timestamp: 0,
  };
  try {
    m.exitCode = await runConfigured(config, ctx, hooks, m);
    return m.exitCode;
  } catch (e) {
    // A bug is never "failed" (1): the gauge must not say the guard tripped when the job crashed.
    m.exitCode = e instanceof ExitError ? e.exitCode : RETENTION_EXIT.internal;
    throw e;
  } finally {
    if (config.pushgateway) {
      m.timestamp = Math.floor(Date.now() / 1000);
      await pushMetrics(config.pushgateway.url, config.pushgateway.job, config.owner, m, ({ attempt, attempts, delayMs, error }) =>
        log.warn("metrics push attempt failed; retrying", { attempt, of: attempts, retryInMs: delayMs, error: messageOf(error) }),
      ).catch((e: unknown) => log.warn("could not push metrics", { error: messageOf(e) }));
    }
  }
}

async function runConfigured(config: RetentionConfig, ctx: JobContext, hooks: RunHooks, m: RunMetrics): Promise<number> {
  const { log, signal } = ctx;
  const api = new ForgejoClient({
    baseUrl: config.forgejoUrl.toString(),
    token: config.token,
    onRetry: (info) => log.warn("retrying a Forgejo request", { ...info }),
  });
  // First, before Forgejo is asked anything: a live run that cannot see the cluster stops here, having read nothing.
  const inUse = await readInUse(config.inUse, log, signal);
  if (inUse.summary.state === "unknown") {
    const why = `IN_USE=kubernetes, but the workloads could not all be listed (${inUse.summary.code}): ${inUse.summary.error}`;
    if (!config.dryRun) throw new InUseUnknownError(`${why}; what the cluster runs is unknown, so nothing is deleted`);
    log.warn(`DRY RUN WITHOUT THE CLUSTER: ${why}. The plan below keeps nothing for being in use; a live run would delete nothing and exit 2`);
  }
  const identity = await preflight(api, config.owner, { probeScope: !config.dryRun, signal });
  if (identity.writeScope.verified) {
    log.info("preflight: the token's user may delete the owner's versions and the token has write:package", {
      login: identity.login,
      as: identity.why,
      probed: identity.writeScope.probed,
    });
  } else {
    log.info("preflight: the token's user may delete the owner's versions; write:package not verified (dry run)", {
      login: identity.login,
      as: identity.why,
      writeScope: identity.writeScope.why,
    });
  }
  // Basic user:PAT on every /v2 request; a public Bearer realm is never followed from inside the cluster.
  const registry = new RegistryClient({
    url: config.registryUrl,
    username: config.registryUser ?? identity.login,
    password: config.token,
    pinRealm: true,
    concurrency: config.concurrency,
    signal,
  });
  try {
    const inventory = await takeInventory(api, registry, config.owner, config.concurrency, signal).catch((e: unknown) => {
      if (signal.aborted) throw signal.reason;
      throw new InventoryError(`cannot list ${config.owner}'s container versions; nothing planned or deleted: ${messageOf(e)}`, e);
    });
    await hooks.afterInventory?.();
    const now = hooks.now?.() ?? Date.now();
    const resolve = registryResolver(registry);
    const relist = relister(api, config.owner, signal);
    const packages = await mapLimit(
      inventory,
      config.concurrency,
      async (p) => {
        const planned = await planPackage(p, config.rules, now, resolve, config.concurrency, {
          relist,
          signal,
          inUse: inUse.byRepository.get(p.repository.toLowerCase()) ?? [],
        });
        return checkCandidates(api, config.owner, planned, config.concurrency, signal);
      },
      signal,
    );
    const plan = assemblePlan(
      config.owner,
      now,
      { dryRun: config.dryRun, writeScope: identity.writeScope, inUse: inUse.summary },
      config.rules,
      packages,
      config,
    );
    Object.assign(m, {
      seen: plan.totals.versions,
      kept: plan.totals.keep,
      planned: plan.totals.delete,
      frozenPackages: plan.totals.frozenPackages,
      guardTripped: plan.guard.tripped.length > 0,
    });
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
      const applied = await applyPlan(api, config.owner, plan.packages, {
        concurrency: config.concurrency,
        log,
        signal,
        ...(hooks.beforeDelete ? { beforeDelete: hooks.beforeDelete } : {}),
      });
      const { counts } = applied;
      Object.assign(m, { deleted: counts.deleted + counts["already-gone"], failed: counts.failed, skipped: counts.skipped + counts["not-attempted"] });
      if (counts.failed + counts["not-attempted"] > 0) failures.push(`${counts.failed} delete(s) failed, ${counts["not-attempted"]} not attempted`);
      const input: VerifyInput = { registry, plan, applied, config, log, signal };
      const kept = await verify(input);
      if (kept.broken > 0) failures.push(`${kept.broken} broken reference(s) in kept images`);
      const unplanned = await verifyOthers(input);
      if (unplanned.broken > 0) failures.push(`${unplanned.broken} broken reference(s) in tags the plan did not keep (pushed during the run, or not deleted)`);
      if (unplanned.unlisted > 0)
        failures.push(`${unplanned.unlisted} package(s) could not be listed again after applying: tags pushed during the run are unverified`);
      const unverified = kept.unverified + unplanned.unverified;
      if (unverified > 0) failures.push(`${unverified} reference(s) could not be verified: the registry did not answer (not known to be broken)`);
      m.broken = kept.broken + unplanned.broken;
      m.unverified = unverified;
      logApplied(log, counts);
    }
    for (const f of failures) log.error(f);
    log.info("retention finished", { exitCode: failures.length > 0 ? RETENTION_EXIT.failed : RETENTION_EXIT.ok, dryRun: config.dryRun, failures });
    return failures.length > 0 ? RETENTION_EXIT.failed : RETENTION_EXIT.ok;
  } finally {
    await registry.close();
  }
}

/** Whether anything was deleted: only then may a finding be blamed on "applying". */
const appliedAny = (applied: ApplyResult): boolean => applied.counts.deleted > 0;

/** What both post-apply walks read. */
interface VerifyInput {
  registry: RegistryClient;
  plan: Plan;
  applied: ApplyResult;
  config: RetentionConfig;
  log: Logger;
  signal: AbortSignal;
}

async function verify({ registry, plan, applied, config, log, signal }: VerifyInput): Promise<{ broken: number; unverified: number }> {
  const result = await verifyKept(registry, plan.packages, config.concurrency, signal);
  for (const f of result.findings) {
    const msg = f.preExisting
      ? "kept image is broken (it already was before this run)"
      : appliedAny(applied)
        ? "KEPT IMAGE BROKEN AFTER APPLYING"
        : "kept image is broken (this run deleted nothing)";
    log.error(msg, { ...f });
  }
  logUnverified(log, "kept", result.unverified);
  log.info("verified kept tags", { tags: result.tagsWalked, findings: result.findings.length, unverified: result.unverified.length });
  return { broken: result.findings.length, unverified: result.unverified.length };
}

/** Walks the tags of touched packages that the plan did not keep; see verifyUnplanned. */
async function verifyOthers({ registry, plan, applied, config, log, signal }: VerifyInput): Promise<{ broken: number; unlisted: number; unverified: number }> {
  const touched = plan.packages.filter((p) => applied.touched.includes(p.name));
  const result = await verifyUnplanned(registry, touched, applied.deletedDigests, config.concurrency, signal);
  for (const e of result.listErrors) log.error("cannot list the package's tags after applying: tags pushed during the run are not verified", { ...e });
  const after = appliedAny(applied) ? " AFTER APPLYING" : " (this run deleted nothing)";
  for (const f of result.findings) {
    log.error(f.since === "new" ? `TAG PUSHED DURING THE RUN IS BROKEN${after}` : `TAG PLANNED FOR DELETION IS STILL THERE AND BROKEN${after}`, { ...f });
  }
  logUnverified(log, "not kept", result.unverified);
  log.info("verified tags the plan did not keep", {
    packages: touched.length,
    tags: result.tagsWalked,
    findings: result.findings.length,
    unverified: result.unverified.length,
  });
  return { broken: result.findings.length, unlisted: result.listErrors.length, unverified: result.unverified.length };
}

/** A walk that could not read something is an outage to report, never a broken image. */
function logUnverified(log: Logger, which: string, unverified: readonly Finding[]): void {
  for (const f of unverified) {
    log.error(`could not verify a ${which} tag: the registry did not answer (not known to be broken)`, { ...f });
  }
}

/** The resolver's re-list of one package (a kept root answered 404: deleted, or broken?). */
function relister(api: ForgejoClient, owner: string, signal: AbortSignal): Relister {
  return async (pkg) => {
    try {
      return new Set((await currentVersions(api, owner, pkg.name, signal)).keys());
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      return e instanceof Error ? e : new Error(String(e));
    }
  };
}

function logApplied(log: Logger, counts: ApplyCounts): void {
  log.info("applied", { ...counts });
}
