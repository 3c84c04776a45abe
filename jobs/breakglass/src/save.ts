// save: read (registry) -> plan (pure) -> write once, fanned out to every
// destination -> commit each independently -> report. One destination
// failing never stops the others; the run fails if any failed.
import type { Logger } from "@regguard/job-runtime";
import { RegistryClient } from "@regguard/oci-client";
import type { S3Client } from "@aws-sdk/client-s3";
import { writeArchive } from "./archive-writer.js";
import type { SaveConfig } from "./config.js";
import type { Destination, StagedArchive } from "./destination.js";
import { reason } from "./errors.js";
import { Fanout, type ArchiveResult } from "./fanout.js";
import { contentSize, layoutFiles, tarSize } from "./layout.js";
import { LocalDestination } from "./local-destination.js";
import { archiveNames, tagPart, type ArchiveNames } from "./names.js";
import { buildPlan, type ArchivePlan } from "./plan.js";
import { Progress } from "./progress.js";
import { readSource } from "./source.js";

/** Outcome per destination. */
export interface DestinationReport {
  destination: string;
  ok: boolean;
  location?: string;
  pruned?: string[];
  error?: string;
}

/** What a save did; `ok` only when every destination committed. */
export interface SaveReport {
  ok: boolean;
  image: string;
  digest?: string;
  sourceDigest?: string;
  file?: string;
  sha256?: string;
  size?: number;
  platforms?: string[];
  bytesPerSecond?: number;
  destinations: DestinationReport[];
}

export interface SaveDeps {
  log: Logger;
  signal?: AbortSignal;
  /** Terminal for the progress line (process.stderr in the CLI). */
  tty?: { isTTY?: boolean; write(s: string): unknown };
}

/** Run one save; never throws for operational failures, it reports them. */
export async function save(cfg: SaveConfig, deps: SaveDeps): Promise<SaveReport> {
  const { log } = deps;
  const report: SaveReport = { ok: false, image: cfg.imageName, destinations: [] };
  // Every request of this save ends with it: the first failure of thousands of queued child
  // fetches used to leave the rest retrying after "save finished", and the process never exited
  // (issue 12). Aborted when the save returns, whatever the outcome, or when the caller stops it.
  const outstanding = new AbortController();
  const onStop = () => outstanding.abort(deps.signal?.reason);
  deps.signal?.addEventListener("abort", onStop, { once: true });
  const client = new RegistryClient({
    url: cfg.registry.url,
    username: cfg.registry.username,
    password: cfg.registry.password,
    pinRealm: cfg.registry.pinRealm,
    userAgent: "regguard-breakglass",
    signal: outstanding.signal,
  });
  let s3: S3Client | undefined;
  try {
    let plan: ArchivePlan;
    try {
      plan = buildPlan(
        await readSource(client, {
          repository: cfg.image.repository,
          target: cfg.image.digest ?? cfg.image.tag ?? "latest",
          imageName: cfg.imageName,
          tag: cfg.image.tag ?? (cfg.image.digest ? undefined : "latest"),
          archiveName: cfg.archiveName,
          platforms: cfg.platforms,
        }),
      );
    } catch (e) {
      // Nothing was written anywhere: every destination keeps what it had.
      report.destinations = cfg.destinations.map((d) => ({ destination: d.label, ok: false, error: `source: ${reason(e)}` }));
      log.error("cannot read the image from the registry", { image: cfg.imageName, error: reason(e) });
      return report;
    }
    const names = archiveNames(cfg.archiveName, tagPart(cfg.image.tag, plan.sourceDigest), cfg.compression);
    const files = layoutFiles(plan);
    const plainSize = tarSize(plan, files);
    Object.assign(report, { digest: plan.root.digest, sourceDigest: plan.sourceDigest, file: names.file, platforms: plan.platforms });
    log.info("saving", {
      image: cfg.imageName,
      digest: plan.root.digest,
      sourceDigest: plan.sourceDigest,
      trimmed: plan.trimmed,
      platforms: plan.platforms,
      blobs: plan.blobs.length,
      bytes: plainSize,
      file: names.file,
      destinations: cfg.destinations.map((d) => d.label),
    });
    if (plan.root.digest !== plan.sourceDigest) {
      log.warn("the archive's root digest differs from the registry's: platforms were dropped; use PLATFORM=all to keep the index digest", {
        sourceDigest: plan.sourceDigest,
        digest: plan.root.digest,
      });
    }
    // The S3 SDK costs ~0.4 s and ~20 MiB to load: only when an s3:// destination is configured.
    const s3Modules = cfg.destinations.some((d) => d.kind === "s3") ? await Promise.all([import("./s3-client.js"), import("./s3-destination.js")]) : undefined;
    const destinations: Destination[] = cfg.destinations.map((d) => {
      if (d.kind === "local") return new LocalDestination(d.dir, d.label, log);
      const [{ createS3Client }, { S3Destination }] = s3Modules as NonNullable<typeof s3Modules>;
      s3 ??= createS3Client(cfg.s3);
      return new S3Destination(s3, d.bucket, d.prefix, d.label);
    });
    const results = new Map<string, DestinationReport>();
    const fail = (label: string, e: unknown) => {
      if (results.has(label)) return;
      results.set(label, { destination: label, ok: false, error: reason(e) });
      log.error("destination failed; the previous archive and latest there are unchanged", { destination: label, error: reason(e) });
    };
    const staged = await stageAll(destinations, names, cfg.compression === "none" ? plainSize : undefined, fail);
    const archive = await writeOnce(plan, files, staged, cfg, client, fail, { ...deps, total: plainSize, content: contentSize(plan, files) });
    if (archive) {
      report.sha256 = archive.result.sha256;
      report.size = archive.result.size;
      report.bytesPerSecond = archive.bytesPerSecond;
      await Promise.all(
        archive.healthy.map(async (s) => {
          try {
            const done = await s.commit(archive.result, cfg.keep);
            results.set(s.label, { destination: s.label, ok: true, location: done.location, pruned: done.pruned });
            log.info("archive saved", { destination: s.label, location: done.location, sha256: archive.result.sha256, pruned: done.pruned });
          } catch (e) {
            fail(s.label, e);
          }
        }),
      );
    }
    report.destinations = destinations.map((d) => results.get(d.label) ?? { destination: d.label, ok: false, error: "not written" });
    report.ok = report.destinations.every((d) => d.ok);
    return report;
  } finally {
    deps.signal?.removeEventListener("abort", onStop);
    outstanding.abort(new Error("the save is over; requests still queued are abandoned"));
    s3?.destroy();
    await client.close();
  }
}

async function stageAll(
  destinations: Destination[],
  names: ArchiveNames,
  size: number | undefined,
  fail: (label: string, e: unknown) => void,
): Promise<StagedArchive[]> {
  const staged = await Promise.all(
    destinations.map(async (d) => {
      try {
        return await d.stage(names, size);
      } catch (e) {
        fail(d.label, e);
        return undefined;
      }
    }),
  );
  return staged.filter((s): s is StagedArchive => s !== undefined);
}

async function writeOnce(
  plan: ArchivePlan,
  files: ReturnType<typeof layoutFiles>,
  staged: StagedArchive[],
  cfg: SaveConfig,
  client: RegistryClient,
  fail: (label: string, e: unknown) => void,
  deps: SaveDeps & { total: number; content: number },
): Promise<{ result: ArchiveResult; healthy: StagedArchive[]; bytesPerSecond: number } | undefined> {
  if (staged.length === 0) return undefined;
  const fanout = new Fanout(staged, (s, e) => fail(s.label, e));
  const progress = new Progress({ log: deps.log, total: deps.content, label: cfg.imageName, ...(deps.tty ? { tty: deps.tty } : {}) });
  try {
    await writeArchive(plan, files, fanout, {
      compression: cfg.compression,
      openLayer: (b) => client.openBlob(cfg.image.repository, b, cfg.stall),
      onBytes: (n) => progress.add(n),
    });
  } catch (e) {
    for (const s of staged) fail(s.label, e);
    await Promise.all(staged.map((s) => fanout.fail(s, e)));
    progress.stopped(e);
    return undefined;
  }
  const bytesPerSecond = progress.done();
  const result = await fanout.result();
  if (cfg.compression === "none" && result.size !== deps.total) {
    const e = new Error(`internal: wrote ${result.size} bytes, the plan computed ${deps.total}`);
    for (const s of fanout.healthy) fail(s.label, e);
    await Promise.all(fanout.healthy.map((s) => fanout.fail(s, e)));
    return undefined;
  }
  return { result, healthy: [...fanout.healthy], bytesPerSecond };
}
