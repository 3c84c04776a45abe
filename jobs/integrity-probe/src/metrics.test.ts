import { FINDING_KINDS } from "@regguard/oci-client";
import { renderExposition } from "@regguard/pushgateway";
import { describe, expect, it } from "vitest";
import { METRIC, probeMetrics } from "./metrics.js";
import { PROBE_EXIT, exitCode, summaryLine } from "./report.js";
import { emptyTally, integrityFailures, record, runCompleted } from "./tally.js";

function tallyWith(kinds: Array<(typeof FINDING_KINDS)[number]>) {
  const t = emptyTally();
  for (const kind of kinds) record(t, { type: "finding", finding: { kind, repository: "r", message: "m" } });
  return t;
}

describe("tally, metrics and outcome", () => {
  it("counts content findings as failures and request errors apart", () => {
    const t = tallyWith(["child_missing", "blob_missing", "request_error", "request_error"]);
    expect(integrityFailures(t)).toBe(2);
    const fams = probeMetrics({ tally: t, startedAt: 1_000, finishedAt: 3_500, lastSuccess: 42 });
    const value = (name: string) => fams.find((f) => f.name === name)?.samples[0]?.value;
    expect(value(METRIC.failures)).toBe(2);
    expect(value(METRIC.requestErrors)).toBe(2);
    expect(value(METRIC.runDuration)).toBe(2.5);
    expect(value(METRIC.lastRun)).toBe(3);
    expect(value(METRIC.lastSuccess)).toBe(42);
    const byKind = fams.find((f) => f.name === METRIC.failuresByKind)?.samples ?? [];
    expect(byKind.map((s) => [s.labels?.kind, s.value])).toEqual(FINDING_KINDS.map((k) => [k, t.findings[k]]));
  });

  it("pushes exactly the six contract gauges plus the bounded extras", async () => {
    const names = probeMetrics({ tally: emptyTally(), startedAt: 0, finishedAt: 0, lastSuccess: 0 }).map((f) => f.name);
    // Spelled out: the existing alerts match these strings, not METRIC.
    expect(names).toEqual([
      "registry_manifest_integrity_failures",
      "registry_manifest_integrity_catalog_accessible",
      "registry_manifest_integrity_repos_checked",
      "registry_manifest_integrity_tags_checked",
      "registry_manifest_integrity_indexes_checked",
      "registry_manifest_integrity_last_run_timestamp",
      "registry_manifest_integrity_failures_by_kind",
      "registry_manifest_integrity_request_errors",
      "registry_manifest_integrity_blobs_checked",
      "registry_manifest_integrity_manifests_checked",
      "registry_manifest_integrity_run_duration_seconds",
      "registry_manifest_integrity_last_success_timestamp",
    ]);
    expect(probeMetrics({ tally: emptyTally(), startedAt: 0, finishedAt: 0, lastSuccess: undefined }).map((f) => f.name)).not.toContain(METRIC.lastSuccess);
    await expect(renderExposition(probeMetrics({ tally: emptyTally(), startedAt: 0, finishedAt: 0, lastSuccess: 1 }))).resolves.toContain("# TYPE");
  });

  it("decides the exit code in one place: 3 over 1 over 0", () => {
    const healthy = emptyTally();
    expect(exitCode(healthy, true)).toBe(PROBE_EXIT.healthy);
    // Nothing verified is not healthy: a request error leaves something unchecked (issue 12).
    expect(exitCode(tallyWith(["request_error"]), true)).toBe(PROBE_EXIT.incomplete);
    expect(exitCode(tallyWith(["request_error", "digest_mismatch"]), true)).toBe(PROBE_EXIT.incomplete);
    expect(exitCode(tallyWith(["digest_mismatch"]), true)).toBe(PROBE_EXIT.failures);
    expect(exitCode(tallyWith(["digest_mismatch"]), false)).toBe(PROBE_EXIT.incomplete);
    const noCatalog = emptyTally();
    record(noCatalog, { type: "catalog_error", error: new Error("401") });
    expect(runCompleted(noCatalog)).toBe(false);
    expect(exitCode(noCatalog, true)).toBe(PROBE_EXIT.incomplete);
    expect(exitCode(healthy, true, true)).toBe(PROBE_EXIT.stopped);
  });

  it("writes the closing line", () => {
    const t = tallyWith(["manifest_missing", "request_error"]);
    for (const e of [
      { type: "repository", repository: "a" },
      { type: "tag", repository: "a", tag: "v1" },
    ] as const)
      record(t, e);
    record(t, { type: "manifest", repository: "a", digest: `sha256:${"0".repeat(64)}`, kind: "index", mediaType: "x" });
    expect(summaryLine(t)).toBe("Probe complete: 1 failures across 1 repos / 1 tags / 1 indexes");
  });
});
