// The probe against a real registry:2 (Debian docker-registry) and a real
// Pushgateway. One registry holds every scenario under its own repository
// prefix; each run pushes to its own `instance` group so the series of one
// scenario can be read back exactly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  pushImage,
  pushIndex,
  startDelayProxy,
  startPushgateway,
  startRegistry,
  type StartedDelayProxy,
  type StartedPushgateway,
  type StartedRegistry,
} from "@regguard/testkit";
import { FINDING_KINDS } from "@regguard/oci-client";
import { METRIC } from "../src/index.js";
import { findings, groupSeries, runProbe, startPagingProxy, summary } from "./helpers.js";

const JOB = "registry-integrity-probe";

describe("integrity probe on a real registry:2 and Pushgateway", () => {
  let registry: StartedRegistry;
  let pg: StartedPushgateway;
  let slowProxy: StartedDelayProxy;
  let pagingProxy: Awaited<ReturnType<typeof startPagingProxy>>;
  const env = (prefix: string, extra: Record<string, string> = {}) => ({
    REGISTRY_URL: registry.url,
    PUSHGATEWAY_URL: pg.url,
    REPOSITORY_PREFIX: prefix,
    REGISTRY_INSTANCE: prefix.replace(/\/$/, ""),
    ...extra,
  });

  beforeAll(async () => {
    [registry, pg] = await Promise.all([startRegistry(), startPushgateway()]);
    const t = { url: registry.url };
    await Promise.all([
      (async () => {
        await pushImage(t, "healthy/app", "v1", { layers: 2, seed: "healthy-app" });
        await pushIndex(t, "healthy/multi", "latest", { attestations: true, seed: "healthy-multi" });
        await pushIndex(t, "healthy/list", "1.0", { format: "docker", seed: "healthy-list" });
      })(),
      (async () => {
        const idx = await pushIndex(t, "orphan/app", "latest", { attestations: true, seed: "orphan" });
        // distribution#3324: the child's revision link is gone, the index is still served.
        await registry.corruptRevisionLink("orphan/app", idx.children[0]!.digest);
      })(),
      (async () => {
        const img = await pushImage(t, "blobless/app", "v1", { layers: 2, seed: "blobless" });
        await registry.deleteBlobData(img.layers[1]!.digest);
      })(),
      pushIndex(t, "nomt/app", "latest", { omitMediaType: true, seed: "nomt" }),
      (async () => {
        const gone = await pushImage(t, "tagless/app", "v1", { seed: "tagless-1" });
        await pushImage(t, "tagless/app", "v2", { seed: "tagless-2" });
        // distribution#3324 on a tagged manifest: the tag is still listed, its manifest answers 404.
        await registry.corruptRevisionLink("tagless/app", gone.digest);
      })(),
      (async () => {
        // Twelve versions share one image; latest is a different, damaged one.
        for (let i = 1; i <= 12; i++) await pushImage(t, "sampled/app", `v${i}`, { seed: "sampled" });
        const latest = await pushImage(t, "sampled/app", "latest", { seed: "sampled-latest" });
        await registry.deleteBlobData(latest.layers[0]!.digest);
      })(),
      (async () => {
        for (let r = 0; r < 5; r++) await pushImage(t, `paged/r${r}`, "v1", { seed: "paged" });
        for (let i = 0; i < 5; i++) await pushImage(t, "paged/r0", `t${i}`, { seed: "paged" });
      })(),
      (async () => {
        await pushImage(t, "slow/app", "v1", { seed: "slow-1" });
        await pushImage(t, "slow/app", "v2", { seed: "slow-2" });
        await pushImage(t, "slow/app", "v3", { seed: "slow-3" });
      })(),
    ]);
    slowProxy = await startDelayProxy(registry.url, { delayMs: 0, delayFor: ({ path }) => (path === "/v2/slow/app/manifests/v2" ? 1_500 : 0) });
    pagingProxy = await startPagingProxy(registry.url);
  });
  afterAll(async () => {
    await pagingProxy?.stop();
    await slowProxy?.stop();
    await registry?.stop();
    await pg?.stop();
  });

  it("a healthy registry: exit 0, and exactly these series in the group", async () => {
    const before = Math.floor(Date.now() / 1000);
    const run = await runProbe(env("healthy/"));
    expect(run.code).toBe(0);
    expect(findings(run)).toEqual([]);
    expect(summary(run).msg).toBe("Probe complete: 0 failures across 3 repos / 3 tags / 2 indexes");
    const series = groupSeries(await pg.series(), JOB, "healthy");
    const after = Math.ceil(Date.now() / 1000);
    for (const name of [METRIC.lastRun, METRIC.lastSuccess]) {
      expect(series[name]).toBeGreaterThanOrEqual(before);
      expect(series[name]).toBeLessThanOrEqual(after);
    }
    expect(series[METRIC.runDuration]).toBeGreaterThan(0);
    expect(series[METRIC.runDuration]).toBeLessThan(30);
    // Literal names, not METRIC: the alert rules and dashboards match these
    // strings, so a rename in metrics.ts must fail here.
    expect(series).toEqual({
      registry_manifest_integrity_failures: 0,
      registry_manifest_integrity_catalog_accessible: 1,
      registry_manifest_integrity_repos_checked: 3,
      registry_manifest_integrity_tags_checked: 3,
      // The OCI index with attestations and the Docker manifest list.
      registry_manifest_integrity_indexes_checked: 2,
      registry_manifest_integrity_last_run_timestamp: series.registry_manifest_integrity_last_run_timestamp,
      ...Object.fromEntries(FINDING_KINDS.map((k) => [`registry_manifest_integrity_failures_by_kind{kind="${k}"}`, 0])),
      registry_manifest_integrity_request_errors: 0,
      // app: config + 2 layers; multi: 2 platforms + 2 attestations, config + 1 layer each; list: 2 platforms x 2.
      registry_manifest_integrity_blobs_checked: 3 + 8 + 4,
      // app 1; multi: index + 2 + 2; list: index + 2.
      registry_manifest_integrity_manifests_checked: 1 + 5 + 3,
      registry_manifest_integrity_run_duration_seconds: series.registry_manifest_integrity_run_duration_seconds,
      registry_manifest_integrity_last_success_timestamp: series.registry_manifest_integrity_last_success_timestamp,
      // Which build pushed the group (issue 13); its job label is the group's own.
      'regguard_build_info{version="0.1.0"}': 1,
    });
    const withPush = groupSeries(await pg.series(), JOB, "healthy", true);
    expect(withPush.push_time_seconds).toBeGreaterThanOrEqual(before);
  });

  it("distribution#3324: an index child whose revision link is gone is child_missing, exit 1", async () => {
    const run = await runProbe(env("orphan/"));
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual(["child_missing@orphan/app"]);
    const line = run.lines.find((l) => l.msg === "integrity failure");
    expect(line).toMatchObject({ level: "error", repository: "orphan/app", tag: "latest", status: 404, registryCode: "MANIFEST_UNKNOWN" });
    expect(line?.digest).toMatch(/^sha256:/);
    expect(line?.parent).toMatch(/^sha256:/);
    const series = groupSeries(await pg.series(), JOB, "orphan");
    expect(series[METRIC.failures]).toBe(1);
    expect(series[`${METRIC.failuresByKind}{kind="child_missing"}`]).toBe(1);
    expect(series[METRIC.catalogAccessible]).toBe(1);
  });

  it("a listed tag whose manifest answers 404 is manifest_missing, exit 1", async () => {
    const run = await runProbe(env("tagless/"));
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual(["manifest_missing@tagless/app"]);
    expect(run.lines.find((l) => l.msg === "integrity failure")).toMatchObject({
      level: "error",
      kind: "manifest_missing",
      repository: "tagless/app",
      tag: "v1",
      status: 404,
      registryCode: "MANIFEST_UNKNOWN",
    });
    expect(summary(run)).toMatchObject({ tags: 2, failures: 1 });
    const series = groupSeries(await pg.series(), JOB, "tagless");
    expect(series.registry_manifest_integrity_failures).toBe(1);
    expect(series['registry_manifest_integrity_failures_by_kind{kind="manifest_missing"}']).toBe(1);
    expect(series.registry_manifest_integrity_tags_checked).toBe(2);
  });

  it("a blob whose data is gone is blob_missing; CHECK_BLOBS=false does not look", async () => {
    const run = await runProbe(env("blobless/"));
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual(["blob_missing@blobless/app"]);
    expect(groupSeries(await pg.series(), JOB, "blobless")[`${METRIC.failuresByKind}{kind="blob_missing"}`]).toBe(1);
    const shallow = await runProbe(env("blobless/", { CHECK_BLOBS: "false" }));
    expect(shallow.code).toBe(0);
    expect(groupSeries(await pg.series(), JOB, "blobless")[METRIC.blobsChecked]).toBe(0);
  });

  it("an index without mediaType is detected by its body", async () => {
    const run = await runProbe(env("nomt/"));
    expect(run.code).toBe(0);
    expect(summary(run).msg).toBe("Probe complete: 0 failures across 1 repos / 1 tags / 1 indexes");
    expect(summary(run).manifests).toBe(3);
  });

  it("TAGS_PER_REPO samples the newest-looking tags and always latest", async () => {
    const all = await runProbe(env("sampled/"));
    expect(summary(all)).toMatchObject({ tags: 13, failures: 1 });
    const sampled = await runProbe(env("sampled/", { TAGS_PER_REPO: "3" }));
    // Alphabetically-last sampling (the shell probe) would have skipped the damaged latest.
    expect(sampled.code).toBe(1);
    expect(summary(sampled)).toMatchObject({ tags: 3, failures: 1 });
    expect(findings(sampled)).toEqual(["blob_missing@sampled/app"]);
  });

  it("follows every page of the catalog and of tags (pages of two, Forgejo's Link quirk)", async () => {
    const run = await runProbe({ ...env("paged/"), REGISTRY_URL: pagingProxy.url });
    expect(run.code).toBe(0);
    expect(summary(run)).toMatchObject({ repositories: 5, tags: 10, failures: 0 });
    expect(pagingProxy.listingRequests()).toBeGreaterThan(10);
  });

  it("a manifest that times out is a request error, not a failure: the run completes and pushes, and exits 3 (not verified is not healthy)", async () => {
    const run = await runProbe({ ...env("slow/"), REGISTRY_URL: slowProxy.url, REQUEST_TIMEOUT_MS: "200" });
    expect(run.code).toBe(3);
    expect(findings(run)).toEqual(["request_error@slow/app"]);
    expect(run.lines.find((l) => l.msg === "request error")).toMatchObject({
      level: "warn",
      tag: "v2",
      detail: expect.stringMatching(/timed out after 200 ms/),
    });
    expect(summary(run)).toMatchObject({ tags: 3, failures: 0, requestErrors: 1, pushed: true });
    const series = groupSeries(await pg.series(), JOB, "slow");
    expect(series[METRIC.requestErrors]).toBe(1);
    expect(series[`${METRIC.failuresByKind}{kind="request_error"}`]).toBe(1);
    expect(series[METRIC.failures]).toBe(0);
    expect(series[METRIC.lastSuccess]).toBeGreaterThan(0);
  });

  it("a Pushgateway that stays down is tried three times, logged, and exits 3", async () => {
    const run = await runProbe({ ...env("healthy/"), PUSHGATEWAY_URL: `http://127.0.0.1:${await freePort()}` });
    expect(run.code).toBe(3);
    expect(run.lines.filter((l) => l.msg === "metrics push attempt failed; retrying").map((l) => [l.attempt, l.retryInMs, l.errorCode])).toEqual([
      [1, 1_000, "PGW_UNREACHABLE"],
      [2, 2_000, "PGW_UNREACHABLE"],
    ]);
    expect(run.lines.find((l) => l.msg === "metrics push failed")).toMatchObject({ level: "error", errorCode: "PGW_UNREACHABLE", attempts: 3 });
    expect(summary(run)).toMatchObject({ pushed: false, failures: 0 });
  });
});
