// `sync cutover`: the workloads from the Kubernetes API -> the images to check (cutover-plan.ts) ->
// each checked on Forgejo (cutover.ts) -> one log line each, the totals, the gauges, the exit code.
// docs/runbooks/cutover.md reads the report for the Phase 3 and Phase 4 gates.
import type { Logger } from "@regguard/job-runtime";
import { forEachBounded, type RegistryClient } from "@regguard/oci-client";
import type { MetricFamily } from "@regguard/pushgateway";
import type { SyncConfig } from "./config.js";
import { cutoverImages } from "./cutover-plan.js";
import { checkCutoverImage, CUTOVER_STATES, type CutoverOutcome, type CutoverState } from "./cutover.js";
import { SYNC_EXIT } from "./report.js";

export interface CutoverTally {
  images: number;
  states: Record<CutoverState, number>;
  /** Images still pulled from registry:2, whatever their state on Forgejo. */
  onRegistry2: number;
  /** Images the registries could not be asked about. */
  unverified: number;
  /** The workloads could not all be listed: nothing below is complete. */
  kubeError: string | undefined;
  stopped: boolean;
}

export const CUTOVER_METRIC = {
  images: "registry_cutover_images",
  unverified: "registry_cutover_unverified_images",
  lastRun: "registry_cutover_last_run_timestamp_seconds",
} as const;

export async function runCutover(config: SyncConfig, source: RegistryClient, target: RegistryClient, log: Logger, signal: AbortSignal): Promise<CutoverTally> {
  const tally: CutoverTally = {
    images: 0,
    states: { ready: 0, missing: 0, drifted: 0, broken: 0 },
    onRegistry2: 0,
    unverified: 0,
    kubeError: undefined,
    stopped: false,
  };
  let found;
  try {
    // Loaded only by cutover: copy and check stay as small as they were (large.test.ts measures it).
    const { listWorkloadImages } = await import("@regguard/kube-images/list");
    found = await listWorkloadImages({ env: config.cutover.env, pageSize: config.cutover.pageSize, requestTimeoutMs: config.timeoutMs, signal });
  } catch (e) {
    tally.kubeError = (e as Error).message;
    log.error("the workloads could not all be listed; nothing was checked and no gauge is pushed", {
      detail: tally.kubeError,
      errorCode: (e as { code?: string }).code,
    });
    return tally;
  }
  const images = cutoverImages(found.uses, config.cutover.names);
  log.info("cutover: workload images read", {
    source: found.source,
    objects: found.objects,
    requests: found.requests,
    ours: images.length,
    names: config.cutover.names,
  });
  for (const u of found.unread) log.warn("a workload names an image no runtime can pull", { by: u.by, field: u.field, image: u.text });
  const outcomes: CutoverOutcome[] = [];
  await forEachBounded(images, config.concurrency, async (image) => {
    if (signal.aborted) return;
    outcomes.push(await checkCutoverImage(image, source, target));
  });
  tally.stopped = signal.aborted;
  outcomes.sort((a, b) => (a.image.targetRepository < b.image.targetRepository ? -1 : a.image.targetRepository > b.image.targetRepository ? 1 : 0));
  for (const o of outcomes) {
    tally.images++;
    if (o.image.pullsFrom === "source") tally.onRegistry2++;
    if (o.state === undefined) tally.unverified++;
    else tally.states[o.state]++;
    const fields = {
      image: o.image.text,
      by: o.image.by,
      pullsFrom: o.image.pullsFrom === "source" ? "registry2" : "forgejo",
      forgejo: o.image.targetRepository,
      tag: o.image.tag,
      digest: o.digest,
      digestFrom: o.digestFrom,
      state: o.state ?? "unverified",
      ...(o.targetDigest ? { forgejoDigest: o.targetDigest } : {}),
      ...(o.detail ? { detail: o.detail } : {}),
    };
    if (o.state === "ready") log.info("cutover image", fields);
    else if (o.state === undefined) log.error("cutover image could not be checked", fields);
    else log.warn("cutover image not ready", fields);
  }
  return tally;
}

/** `Cutover: 12 of 14 workload images ready on Forgejo (1 missing, 1 drifted, 0 broken); 5 still pulled from registry:2` */
export function cutoverSummary(t: CutoverTally): string {
  const s = t.states;
  const unverified = t.unverified > 0 ? `, ${t.unverified} could not be checked` : "";
  return `Cutover: ${s.ready} of ${t.images} workload images ready on Forgejo (${s.missing} missing, ${s.drifted} drifted, ${s.broken} broken${unverified}); ${t.onRegistry2} still pulled from registry:2`;
}

/** 0 every image ready; 1 any missing, drifted or broken; 3 the cluster or a registry could not be asked, or the push failed; 130 stopped. */
export function cutoverExitCode(t: CutoverTally, pushed: boolean): number {
  if (t.stopped) return SYNC_EXIT.stopped;
  if (t.kubeError !== undefined || t.unverified > 0 || !pushed) return SYNC_EXIT.incomplete;
  return t.states.missing + t.states.drifted + t.states.broken > 0 ? SYNC_EXIT.differences : SYNC_EXIT.ok;
}

/** The gauges; on_registry2 overlaps the four Forgejo states (it says where the image is pulled from). Pure. */
export function cutoverMetrics(t: CutoverTally, finishedAt: number): MetricFamily[] {
  return [
    {
      name: CUTOVER_METRIC.images,
      help: "Workload images of the last cutover report: ready, missing, drifted, broken say whether Forgejo serves the running digest completely (together, every image); on_registry2 counts those still pulled from registry:2.",
      type: "gauge",
      samples: [...CUTOVER_STATES.map((state) => ({ labels: { state }, value: t.states[state] })), { labels: { state: "on_registry2" }, value: t.onRegistry2 }],
    },
    {
      name: CUTOVER_METRIC.unverified,
      help: "Workload images the last cutover report could not check (a registry did not answer).",
      type: "gauge",
      samples: [{ value: t.unverified }],
    },
    { name: CUTOVER_METRIC.lastRun, help: "Unix time the last cutover report finished.", type: "gauge", samples: [{ value: Math.floor(finishedAt / 1000) }] },
  ];
}
