// Optional run metrics for a Pushgateway. The group is replaced (PUT) every
// run, so no value from an earlier run can linger (field notes, probe #5).
// Rendered here in a few lines rather than through @regguard/pushgateway,
// which was not a dependency of this job when it was written (issue 13 moves it).

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
  ["broken", "forgejo_retention_broken_references", "Broken references (404, digest or size mismatch) found by the walk of the kept tags and of every other tag of a package deletes went to"],
  ["unverified", "forgejo_retention_unverified_references", "References that walk could not read (5xx, timeout, refused): not known to be broken, not known to be whole"],
  ["guardTripped", "forgejo_retention_guard_tripped", "1 when MAX_DELETES or MAX_DELETE_PERCENT tripped (or would, in dry-run)"],
  ["dryRun", "forgejo_retention_dry_run", "1 when the run only planned"],
  ["exitCode", "forgejo_retention_exit_code", "The run's exit code (0 done, 1 failures or guard, 2 configuration or preflight, Forgejo unreachable included)"],
  ["timestamp", "forgejo_retention_last_run_timestamp_seconds", "When the run ended"],
];

/** Prometheus text exposition (version 0.0.4) of one run. */
export function renderMetrics(m: RunMetrics): string {
  return FAMILIES.map(([key, name, help]) => {
    const v = m[key];
    const value = typeof v === "boolean" ? (v ? 1 : 0) : v;
    return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`;
  }).join("");
}

/** A grouping label value as a path segment; `/` or empty needs the base64 form. */
function segment(label: string, value: string): string {
  if (value === "" || value.includes("/")) return `${label}@base64/${Buffer.from(value).toString("base64url") || "="}`;
  return `${label}/${encodeURIComponent(value)}`;
}

/** The group URL: <base>/metrics/job/<job>/owner/<owner>. */
export function groupUrl(base: URL, job: string, owner: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/metrics/${segment("job", job)}/${segment("owner", owner)}`;
  return url;
}

/** Replace the group with this run's metrics; throws on a non-2xx or no answer in 10 s. */
export async function pushMetrics(base: URL, job: string, owner: string, m: RunMetrics): Promise<void> {
  const url = groupUrl(base, job, owner);
  const res = await fetch(url, {
    method: "PUT", body: renderMetrics(m), redirect: "error", signal: AbortSignal.timeout(10_000),
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Pushgateway PUT ${url.origin}${url.pathname}: HTTP ${res.status} ${text.trim().slice(0, 200)}`);
}
