// One sync run: config -> inventory -> every tag (bounded) -> log -> (check) push -> exit code.
import type { JobContext, Logger } from "@regguard/job-runtime";
import { forEachBounded, RegistryClient } from "@regguard/oci-client";
import { PushgatewayClient, retryPush, stripUserinfo } from "@regguard/pushgateway";
import { loadConfig, type Endpoint, type SyncConfig } from "./config.js";
import { cutoverExitCode, cutoverMetrics, cutoverSummary, runCutover, type CutoverTally } from "./cutover-run.js";
import type { MetricFamily } from "@regguard/pushgateway";
import { ArchiveInvalidError, ArchiveSpoolError, OpenedArchive } from "@regguard/image-archive";
import { archiveSource } from "./archive-source.js";
import { newSession } from "./image-copy.js";
import { readInventory } from "./inventory.js";
import { syncMetrics } from "./metrics.js";
import { exitCode, summaryLine } from "./report.js";
import type { SourceRegistry } from "./source.js";
import { syncTag, type TagOutcome } from "./tag-sync.js";
import { emptyTally, record, type SyncTally } from "./tally.js";
import { buildInfo, packageVersion } from "@regguard/pushgateway";

/** This job's version (its package.json, beside dist/ in the image). */
const VERSION = packageVersion(new URL("../package.json", import.meta.url));

export async function run(ctx: JobContext): Promise<number> {
  const config = loadConfig(ctx.env, ctx.argv);
  const { log, signal } = ctx;
  // check never writes, whatever DRY_RUN says; copy and repair write only with DRY_RUN=false.
  const write = config.command !== "check" && !config.dryRun;
  log.info("sync starting", {
    command: config.command,
    ...(config.source ? { source: config.source.url.origin } : { sourceArchive: config.sourceArchive }),
    target: config.target.url.origin,
    sourcePrefix: config.sourcePrefix,
    targetPrefix: config.prefix,
    repositories: config.repositories?.source,
    tags: config.tags?.source,
    dryRun: config.command === "check" ? true : config.dryRun,
    overwrite: config.overwrite,
    concurrency: config.concurrency,
  });
  const target = client(config.target, config, signal, "target");
  if (config.command === "cutover") return cutover(config, client(config.source as Endpoint, config, signal, "source"), target, log, signal);
  const tally = emptyTally();
  const startedAt = Date.now();
  let source: SourceRegistry | undefined;
  try {
    source = await openSource(config, signal, tally, log);
    if (source) await syncAll(config, source, target, write, signal, tally, log);
  } finally {
    await Promise.all([source?.close(), target.close()]);
  }
  tally.stopped = signal.aborted;
  const finishedAt = Date.now();
  const pushed = config.command === "check" ? await push(config, syncMetrics(tally, finishedAt), log) : true;
  log.info(summaryLine(config.command, tally, !write), {
    repositories: tally.repositories,
    tags: tally.tags,
    states: tally.states,
    actions: tally.actions,
    collisions: tally.collisions,
    bytesMissing: tally.bytesMissing,
    bytesUploaded: tally.bytesUploaded,
    blobsUploaded: tally.blobsUploaded,
    blobsMounted: tally.blobsMounted,
    manifestsPushed: tally.manifestsPushed,
    sourceRequests: source?.stats.requests ?? 0,
    targetRequests: target.stats.requests,
    pushed,
    durationSeconds: (finishedAt - startedAt) / 1000,
  });
  return exitCode(config.command, tally, pushed);
}

/**
 * The source registry, or the archive SOURCE_ARCHIVE names, verified whole first. An archive that
 * cannot be read, or a gzip one that finds no room in $TMPDIR, is like a source that cannot be
 * listed: nothing is compared, and the run is incomplete (exit 3).
 */
async function openSource(config: SyncConfig, signal: AbortSignal, tally: SyncTally, log: Logger): Promise<SourceRegistry | undefined> {
  if (config.sourceArchive === undefined) return client(config.source as Endpoint, config, signal, "source");
  const started = Date.now();
  try {
    const archive = await OpenedArchive.open(config.sourceArchive);
    log.info("source archive verified", {
      archive: config.sourceArchive,
      images: archive.images.map((i) => i.name),
      seconds: (Date.now() - started) / 1000,
    });
    return archiveSource(archive);
  } catch (error) {
    if (!(error instanceof ArchiveInvalidError || error instanceof ArchiveSpoolError)) throw error;
    tally.inventoryError = error.message;
    const msg =
      error instanceof ArchiveSpoolError
        ? "the source archive could not be decompressed to TMPDIR; nothing was compared"
        : "the source archive could not be read; nothing was compared";
    log.error(msg, { archive: config.sourceArchive, detail: error.message, errorCode: error.code });
    return undefined;
  }
}

function client(e: Endpoint, config: SyncConfig, signal: AbortSignal, side: "source" | "target"): RegistryClient {
  return new RegistryClient({
    // The source may hold names with capitals (names.ts lower-cases them for the target); the
    // target is written to, and writes keep distribution's grammar.
    readCapitalisedNames: side === "source",
    url: e.url,
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    signal,
    userAgent: `regguard-sync (${side})`,
    ...(e.username !== undefined ? { username: e.username, password: e.password ?? "" } : {}),
  });
}

async function syncAll(
  config: SyncConfig,
  source: SourceRegistry,
  target: RegistryClient,
  write: boolean,
  signal: AbortSignal,
  tally: SyncTally,
  log: Logger,
): Promise<void> {
  let inventory;
  try {
    inventory = await readInventory(source, { prefix: config.prefix, sourcePrefix: config.sourcePrefix, repositories: config.repositories, tags: config.tags });
  } catch (error) {
    tally.inventoryError = (error as Error).message;
    log.error("the source could not be listed; nothing was compared", { detail: tally.inventoryError, errorCode: (error as { code?: string }).code });
    return;
  }
  tally.repositories = inventory.repositories;
  tally.collisions = inventory.names.collisions.length;
  for (const c of inventory.names.collisions) {
    log.error("source repositories collide on the target; neither is synced", { sources: c.sources, target: c.target });
  }
  const session = newSession({ source, target, write, signal });
  await forEachBounded(inventory.items, config.concurrency, async (item) => {
    if (signal.aborted) return;
    for (const o of await syncTag(session, config.command, config.overwrite, item)) {
      if (signal.aborted && o.action === "failed") continue;
      record(tally, o, write);
      logOutcome(log, o);
    }
  });
}

function logOutcome(log: Logger, o: TagOutcome): void {
  const fields = {
    repository: o.repository,
    target: o.target,
    tag: o.tag,
    state: o.state,
    action: o.action,
    sourceDigest: o.sourceDigest,
    targetDigest: o.targetDigest,
    ...(o.tree.blobsMissing + o.tree.manifestsMissing > 0
      ? { manifestsMissing: o.tree.manifestsMissing, blobsMissing: o.tree.blobsMissing, bytesMissing: o.tree.bytesMissing }
      : {}),
    ...(o.tree.blobsMounted > 0 ? { blobsMounted: o.tree.blobsMounted } : {}),
    ...(o.findings.length > 0 ? { findings: o.findings.map((f) => ({ kind: f.kind, digest: f.digest, parent: f.parent, detail: f.message })) } : {}),
    ...(o.error ? { detail: o.error } : {}),
  };
  if (o.action === "failed" || o.action === "still_broken") log.error("tag not synced", fields);
  else if (o.state !== "in_parity") log.warn(messageFor(o), fields);
  else log.info("tag in parity", fields);
}

function messageFor(o: TagOutcome): string {
  switch (o.action) {
    case "copied":
      return "tag copied";
    case "would_copy":
      return "tag missing on the target; would copy (dry run)";
    case "overwritten":
      return "drifted tag overwritten (OVERWRITE=true)";
    case "would_overwrite":
      return "drifted tag; would overwrite (dry run, OVERWRITE=true)";
    case "drift_kept":
      return "tag points at another digest on the target; not overwritten (set OVERWRITE=true to replace it)";
    case "repaired":
      return "broken tag repaired";
    case "would_repair":
      return "broken tag; would repair (dry run)";
    default:
      return `tag ${o.state ?? "unknown"}`;
  }
}

/** cutover never writes: it reads the cluster, then both registries. */
async function cutover(config: SyncConfig, source: RegistryClient, target: RegistryClient, log: Logger, signal: AbortSignal): Promise<number> {
  let tally: CutoverTally;
  try {
    tally = await runCutover(config, source, target, log, signal);
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
  // A report without the workloads would push zeros that read as "nothing left on registry:2".
  const pushed = tally.kubeError === undefined ? await push(config, cutoverMetrics(tally, Date.now()), log) : true;
  log.info(cutoverSummary(tally), { images: tally.images, states: tally.states, onRegistry2: tally.onRegistry2, unverified: tally.unverified, pushed });
  return cutoverExitCode(tally, pushed);
}

async function push(config: SyncConfig, metrics: MetricFamily[], log: Logger): Promise<boolean> {
  if (!config.pushgateway) {
    log.info(`PUSHGATEWAY_URL is not set; the ${config.command} gauges are not pushed`);
    return true;
  }
  const pg = new PushgatewayClient({ url: config.pushgateway.url });
  const group = { job: config.pushgateway.job, labels: { instance: config.instance } };
  const where = stripUserinfo(pg.groupUrl(group).toString());
  try {
    await retryPush(() => pg.put(group, [...metrics, buildInfo(group.job, VERSION)]), {
      onRetry: ({ attempt, attempts, delayMs, error }) =>
        log.warn("metrics push attempt failed; retrying", { pushgateway: where, attempt, of: attempts, retryInMs: delayMs, detail: error.message }),
    });
    log.info("metrics pushed", { pushgateway: where });
    return true;
  } catch (error) {
    log.error("metrics push failed", { pushgateway: where, detail: (error as Error).message });
    return false;
  }
}
