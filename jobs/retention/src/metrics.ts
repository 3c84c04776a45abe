// Optional run metrics for a Pushgateway. The group is replaced (PUT) every
// run, so no value from an earlier run can linger (docs/design.md, incident P5).
// Exposition, grouping and the push itself are @regguard/pushgateway's, as for the probe.
import { PushgatewayClient, renderExposition, retryPush, type Group, type MetricFamily, type PushRetryOptions } from "@regguard/pushgateway";
import { buildInfo, packageVersion } from "@regguard/pushgateway";

/** This job's version (its package.json, beside dist/ in the image). */
const VERSION = packageVersion(new URL("../package.json", import.meta.url));

/** One run's numbers. */
export interface RunMetrics {
  seen: number;
  kept: number;
  /** Planned deletions (what a dry run would delete). */
  planned: number;
  deleted: number;
  failed: number;
  skipped: number;
  frozenPackages: number;
  /** Broken references found by the post-apply walks (kept tags, and tags the plan did not keep). */
  broken: number;
  /** What those walks could not read (5xx, timeout, refused): neither broken nor known to be whole. */
  unverified: number;
  guardTripped: boolean;
  dryRun: boolean;
  exitCode: number;
  /** Epoch seconds. */
  timestamp: number;
}

const FAMILIES: Array<[keyof RunMetrics, string, string]> = [
  ["seen", "forgejo_retention_versions_seen", "Container package versions listed"],
  ["kept", "forgejo_retention_versions_kept", "Versions the plan keeps"],
  ["planned", "forgejo_retention_versions_planned_delete", "Versions the plan deletes (also in dry-run)"],
  ["deleted", "forgejo_retention_versions_deleted", "Versions deleted (or found already gone) by this run"],
  ["failed", "forgejo_retention_versions_failed", "Deletes that failed"],
  ["skipped", "forgejo_retention_versions_skipped", "Deletes skipped because the package changed since planning"],
  ["frozenPackages", "forgejo_retention_packages_frozen", "Packages where nothing was deleted because something could not be resolved"],
  [
    "broken",
    "forgejo_retention_broken_references",
    "Broken references (404, digest or size mismatch) found by the walk of the kept tags and of every other tag of a package deletes went to",
  ],
  [
    "unverified",
    "forgejo_retention_unverified_references",
    "References that walk could not read (5xx, timeout, refused): not known to be broken, not known to be whole",
  ],
  ["guardTripped", "forgejo_retention_guard_tripped", "1 when MAX_DELETES or MAX_DELETE_PERCENT tripped (or would, in dry-run)"],
  ["dryRun", "forgejo_retention_dry_run", "1 when the run only planned"],
  ["exitCode", "forgejo_retention_exit_code", "The run's exit code (0 done, 1 failures or guard, 2 configuration or preflight, Forgejo unreachable included)"],
  ["timestamp", "forgejo_retention_last_run_timestamp_seconds", "When the run ended"],
];

/** The families of one run: every one a gauge, booleans as 0/1. Pure. */
export function retentionMetrics(m: RunMetrics): MetricFamily[] {
  return FAMILIES.map(([key, name, help]) => {
    const v = m[key];
    return { name, help, type: "gauge" as const, samples: [{ value: typeof v === "boolean" ? (v ? 1 : 0) : v }] };
  });
}

/** Prometheus text exposition (version 0.0.4) of one run, as the Pushgateway receives it. */
export function renderMetrics(m: RunMetrics): Promise<string> {
  return renderExposition(retentionMetrics(m));
}

/** The grouping key: <base>/metrics/job/<job>/owner/<owner> (values with / in base64, by the pushgateway package). */
export function metricsGroup(job: string, owner: string): Group {
  return { job, labels: { owner } };
}

/**
 * Replace the group with this run's metrics, through the shared pushgateway client: its timeout,
 * answer cap and retry schedule (no answer or 5xx: 1 s, then 2 s), like the probe's push.
 * Throws the last failure.
 */
export async function pushMetrics(base: URL, job: string, owner: string, m: RunMetrics, onRetry?: PushRetryOptions["onRetry"]): Promise<void> {
  const client = new PushgatewayClient({ url: base });
  const families = [...retentionMetrics(m), buildInfo(job, VERSION)];
  await retryPush(() => client.put(metricsGroup(job, owner), families), onRetry ? { onRetry } : {});
}
