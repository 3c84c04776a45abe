import { describe, expect, it } from "vitest";
import { PushgatewayClient } from "@regguard/pushgateway";
import { metricsGroup, renderMetrics } from "./metrics.js";

describe("metrics", () => {
  it("renders every family as a gauge with booleans as 0/1", async () => {
    const text = await renderMetrics({
      seen: 3,
      kept: 1,
      planned: 2,
      deleted: 0,
      failed: 0,
      skipped: 0,
      frozenPackages: 0,
      broken: 0,
      unverified: 0,
      guardTripped: true,
      dryRun: false,
      exitCode: 1,
      timestamp: 1717214400,
    });
    expect(text).toContain("# TYPE forgejo_retention_versions_seen gauge\nforgejo_retention_versions_seen 3\n");
    expect(text).toContain("forgejo_retention_guard_tripped 1\n");
    expect(text).toContain("forgejo_retention_dry_run 0\n");
    expect(text.match(/^# TYPE/gm)).toHaveLength(13);
  });

  it("group URLs keep a base path and base64-encode values with /", () => {
    const url = (base: string, job: string, owner: string) => new PushgatewayClient({ url: base }).groupUrl(metricsGroup(job, owner));
    expect(url("http://pg:9091/gw/", "forgejo-retention", "viktor").href).toBe("http://pg:9091/gw/metrics/job/forgejo-retention/owner/viktor");
    expect(url("http://pg:9091", "a/b", "viktor").pathname).toBe(`/metrics/job@base64/${Buffer.from("a/b").toString("base64url")}/owner/viktor`);
  });
});
