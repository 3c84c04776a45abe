// The probe against the Forgejo fake (testkit): Bearer tokens from
// /v2/token, owner/image names, tags/list's Link on the last page, and the
// retention incident itself: an index child's sha256 version deleted
// through the packages API while the tagged index survives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, pushIndex, startForgejoFake, startPushgateway, type StartedForgejoFake, type StartedPushgateway } from "@regguard/testkit";
import { METRIC } from "../src/index.js";
import { findings, groupSeries, runProbe, summary } from "./helpers.js";

describe("integrity probe against the Forgejo fake", () => {
  let fake: StartedForgejoFake;
  let pg: StartedPushgateway;
  let readToken: string;

  beforeAll(async () => {
    [fake, pg] = await Promise.all([startForgejoFake({ users: [{ login: "viktor" }, { login: "mallory" }] }), startPushgateway()]);
    const viktor = { url: fake.url, username: "viktor", password: fake.user("viktor").token };
    await pushImage(viktor, "viktor/app", "v1", { layers: 2, seed: "fj-app" });
    await pushIndex(viktor, "viktor/multi", "latest", { attestations: true, seed: "fj-multi" });
    const web = await pushIndex(viktor, "viktor/web", "latest", { attestations: true, seed: "fj-web" });
    await pushImage({ url: fake.url, username: "mallory", password: fake.user("mallory").token }, "mallory/tool", "v1", { seed: "fj-tool" });
    // Field notes, retention #1: the untagged child version is deleted, the index that needs it is kept.
    const child = web.children[1]!.digest;
    const res = await fetch(`${fake.url}/api/v1/packages/viktor/container/web/${child}`, {
      method: "DELETE", headers: { authorization: `token ${fake.user("viktor").token}` },
    });
    if (res.status !== 204) throw new Error(`deleting ${child}: HTTP ${res.status}`);
    readToken = fake.addToken("viktor", ["read:package"]);
  });
  afterAll(async () => {
    await Promise.all([fake?.stop(), pg?.stop()]);
  });

  it("finds the orphaned child under the owner's prefix with a read:package PAT", async () => {
    const run = await runProbe({
      REGISTRY_URL: fake.url, REGISTRY_USERNAME: "viktor", REGISTRY_PASSWORD: readToken, REPOSITORY_PREFIX: "viktor/",
      PIN_TOKEN_REALM: "true", REGISTRY_INSTANCE: "forgejo.viktorbarzin.me", PUSHGATEWAY_URL: pg.url, PUSHGATEWAY_JOB: "forgejo-integrity-probe",
    });
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual(["child_missing@viktor/web"]);
    expect(run.lines.find((l) => l.msg === "integrity failure")).toMatchObject({ tag: "latest", status: 404, registryCode: "MANIFEST_UNKNOWN" });
    expect(summary(run).msg).toBe("Probe complete: 1 failures across 3 repos / 3 tags / 2 indexes");
    const series = groupSeries(await pg.series(), "forgejo-integrity-probe", "forgejo.viktorbarzin.me");
    expect(series).toMatchObject({ [METRIC.failures]: 1, [METRIC.catalogAccessible]: 1, [METRIC.reposChecked]: 3, [`${METRIC.failuresByKind}{kind="child_missing"}`]: 1 });
    for (const line of run.lines) expect(JSON.stringify(line)).not.toContain(readToken);
  });

  it("a wrong PAT makes the catalog inaccessible (exit 3), not an empty registry", async () => {
    const run = await runProbe({
      REGISTRY_URL: fake.url, REGISTRY_USERNAME: "viktor", REGISTRY_PASSWORD: "0".repeat(40), PUSHGATEWAY_URL: pg.url, REGISTRY_INSTANCE: "forgejo-bad-pat",
    });
    expect(run.code).toBe(3);
    expect(groupSeries(await pg.series(), "registry-integrity-probe", "forgejo-bad-pat")[METRIC.catalogAccessible]).toBe(0);
  });
});
