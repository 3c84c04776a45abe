// regguard_build_info{job,version} 1: which build of which job pushed a group, in every push of
// every job (the convention of Prometheus' own *_build_info), so a dashboard or an alert can tell
// a stale job image from a broken registry. The version is the job package's own. `job` is the
// group's own job label (the Pushgateway refuses a pushed label that contradicts its grouping key).
import { readFileSync } from "node:fs";
import type { MetricFamily } from "./exposition.js";

export const BUILD_INFO_METRIC = "regguard_build_info";

/** The build-info family for the group's `job` at `version`. */
export function buildInfo(job: string, version: string): MetricFamily {
  return {
    name: BUILD_INFO_METRIC,
    help: "Always 1; the regguard job (its Pushgateway job) and the version of its build that pushed this group.",
    type: "gauge",
    samples: [{ labels: { job, version }, value: 1 }],
  };
}

/**
 * The `version` of the package.json next to a job's dist/ (`new URL("../package.json", import.meta.url)`
 * from a module in dist/ or src/; the image carries package.json beside dist/). "unknown" if unreadable.
 */
export function packageVersion(packageJson: URL): string {
  try {
    const v = (JSON.parse(readFileSync(packageJson, "utf8")) as { version?: unknown }).version;
    return typeof v === "string" && v !== "" ? v : "unknown";
  } catch {
    return "unknown";
  }
}
