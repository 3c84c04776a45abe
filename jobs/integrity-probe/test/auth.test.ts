// Catalog access and credentials against real registries: an empty catalog
// is accessible, a 401 is not; last_success survives a failed run's PUT;
// the shell CronJob's variable names work unchanged; no credential is
// ever logged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, startPushgateway, startRegistry, type StartedPushgateway, type StartedRegistry } from "@regguard/testkit";
import { METRIC } from "../src/index.js";
import { groupSeries, runProbe, summary } from "./helpers.js";

const JOB = "registry-integrity-probe";
const WRONG = "not-the-password-9f1c";

describe("catalog access, credentials and legacy names", () => {
  let locked: StartedRegistry;
  let empty: StartedRegistry;
  let pg: StartedPushgateway;

  beforeAll(async () => {
    [locked, empty, pg] = await Promise.all([startRegistry({ auth: "htpasswd" }), startRegistry(), startPushgateway()]);
    await pushImage({ url: locked.url, username: locked.username, password: locked.password }, "viktor/app", "latest", { layers: 1, seed: "locked" });
  });
  afterAll(async () => {
    await Promise.all([locked?.stop(), empty?.stop(), pg?.stop()]);
  });

  it("an empty catalog is accessible with zero failures, exit 0", async () => {
    const run = await runProbe({ REGISTRY_URL: empty.url, PUSHGATEWAY_URL: pg.url });
    expect(run.code).toBe(0);
    expect(summary(run).msg).toBe("Probe complete: 0 failures across 0 repos / 0 tags / 0 indexes");
    const series = groupSeries(await pg.series(), JOB, empty.host);
    expect(series[METRIC.catalogAccessible]).toBe(1);
    expect(series[METRIC.failures]).toBe(0);
    expect(series[METRIC.lastSuccess]).toBeGreaterThan(0);
  });

  it("a catalog 401 sets catalog_accessible 0, still pushes, exits 3, and keeps the last success time", async () => {
    const good = await runProbe({
      REGISTRY_URL: locked.url,
      REGISTRY_USERNAME: locked.username!,
      REGISTRY_PASSWORD: locked.password!,
      PUSHGATEWAY_URL: pg.url,
    });
    expect(good.code).toBe(0);
    const succeededAt = groupSeries(await pg.series(), JOB, locked.host)[METRIC.lastSuccess];
    expect(succeededAt).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_100)); // a later run lands in a later second

    const bad = await runProbe({ REGISTRY_URL: locked.url, REGISTRY_USERNAME: locked.username!, REGISTRY_PASSWORD: WRONG, PUSHGATEWAY_URL: pg.url });
    expect(bad.code).toBe(3);
    expect(bad.lines.find((l) => l.msg === "catalog unreadable")).toMatchObject({ level: "error", status: 401, errorCode: "OCI_UNAUTHORIZED" });
    const series = groupSeries(await pg.series(), JOB, locked.host);
    expect(series[METRIC.catalogAccessible]).toBe(0);
    expect(series[METRIC.failures]).toBe(0);
    expect(series[METRIC.lastRun]).toBeGreaterThan(succeededAt!);
    expect(series[METRIC.lastSuccess]).toBe(succeededAt);
    for (const line of [...good.lines, ...bad.lines]) {
      expect(JSON.stringify(line)).not.toContain(locked.password!);
      expect(JSON.stringify(line)).not.toContain(WRONG);
    }
  });

  it("a probe that never succeeded pushes last_success 0", async () => {
    const run = await runProbe({
      REGISTRY_URL: locked.url,
      REGISTRY_INSTANCE: "never-succeeded",
      PUSHGATEWAY_URL: pg.url,
      REGISTRY_USERNAME: "nobody",
      REGISTRY_PASSWORD: WRONG,
    });
    expect(run.code).toBe(3);
    expect(groupSeries(await pg.series(), JOB, "never-succeeded")[METRIC.lastSuccess]).toBe(0);
  });

  it("the shell CronJob's environment works unchanged", async () => {
    const run = await runProbe({
      REGISTRY_HOST: locked.host,
      REGISTRY_SCHEME: "http",
      REGISTRY_INSTANCE: "forgejo.viktorbarzin.me",
      REG_USER: locked.username!,
      REG_PASS: locked.password!,
      TAGS_PER_REPO: "5",
      PUSHGATEWAY: `${pg.url}/metrics/job/forgejo-integrity-probe`,
    });
    expect(run.code).toBe(0);
    expect(summary(run).msg).toBe("Probe complete: 0 failures across 1 repos / 1 tags / 0 indexes");
    const series = groupSeries(await pg.series(), "forgejo-integrity-probe", "forgejo.viktorbarzin.me");
    expect(series).toMatchObject({ [METRIC.reposChecked]: 1, [METRIC.tagsChecked]: 1, [METRIC.catalogAccessible]: 1, [METRIC.failures]: 0 });
    for (const line of run.lines) expect(JSON.stringify(line)).not.toContain(locked.password!);
  });
});
