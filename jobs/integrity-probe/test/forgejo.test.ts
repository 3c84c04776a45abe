// The probe against the Forgejo fake and the pinned real server (testkit): a PAT sent as Basic on every
// request (as the CronJob does), owner/image names, tags/list's Link on the
// last page, the retention incident itself (an index child's sha256 version
// deleted through the packages API while the tagged index survives), and the
// hairpin incident (a public token realm the in-cluster probe must not use).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushImage,
  pushIndex,
  replayTargets,
  startForgejoFake,
  startPushgateway,
  startScriptedServer,
  type ReplayServer,
  type StartedForgejoFake,
  type StartedPushgateway,
} from "@regguard/testkit";
import { METRIC } from "../src/index.js";
import { findings, groupSeries, runProbe, summary } from "./helpers.js";

describe.each(replayTargets("the probe's walk"))("integrity probe against $name", ({ start, skip }) => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  let fake: ReplayServer;
  let pg: StartedPushgateway;
  let readToken: string;

  beforeAll(async () => {
    [fake, pg] = await Promise.all([start({ users: [{ login: "viktor" }, { login: "mallory" }] }), startPushgateway()]);
    const viktor = { url: fake.url, username: "viktor", password: fake.user("viktor").token };
    await pushImage(viktor, "viktor/app", "v1", { layers: 2, seed: "fj-app" });
    await pushIndex(viktor, "viktor/multi", "latest", { attestations: true, seed: "fj-multi" });
    const web = await pushIndex(viktor, "viktor/web", "latest", { attestations: true, seed: "fj-web" });
    await pushImage({ url: fake.url, username: "mallory", password: fake.user("mallory").token }, "mallory/tool", "v1", { seed: "fj-tool" });
    // docs/design.md, R1: the untagged child version is deleted, the index that needs it is kept.
    const child = web.children[1]!.digest;
    const res = await fetch(`${fake.url}/api/v1/packages/viktor/container/web/${child}`, {
      method: "DELETE",
      headers: { authorization: `token ${fake.user("viktor").token}` },
    });
    if (res.status !== 204) throw new Error(`deleting ${child}: HTTP ${res.status}`);
    readToken = await fake.addToken("viktor", ["read:package"]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([fake?.stop(), pg?.stop()]);
  });

  it("finds the orphaned child under the owner's prefix with a read:package PAT", async () => {
    const run = await runProbe({
      REGISTRY_URL: fake.url,
      REGISTRY_USERNAME: "viktor",
      REGISTRY_PASSWORD: readToken,
      REPOSITORY_PREFIX: "viktor/",
      PIN_TOKEN_REALM: "true",
      REGISTRY_INSTANCE: "forgejo.viktorbarzin.me",
      PUSHGATEWAY_URL: pg.url,
      PUSHGATEWAY_JOB: "forgejo-integrity-probe",
    });
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual(["child_missing@viktor/web"]);
    expect(run.lines.find((l) => l.msg === "integrity failure")).toMatchObject({ tag: "latest", status: 404, registryCode: "MANIFEST_UNKNOWN" });
    expect(summary(run).msg).toBe("Probe complete: 1 failures across 3 repos / 3 tags / 2 indexes");
    const series = groupSeries(await pg.series(), "forgejo-integrity-probe", "forgejo.viktorbarzin.me");
    expect(series).toMatchObject({
      [METRIC.failures]: 1,
      [METRIC.catalogAccessible]: 1,
      [METRIC.reposChecked]: 3,
      [`${METRIC.failuresByKind}{kind="child_missing"}`]: 1,
    });
    for (const line of run.lines) expect(JSON.stringify(line)).not.toContain(readToken);
  });

  it("a wrong PAT makes the catalog inaccessible (exit 3), not an empty registry", async () => {
    const run = await runProbe({
      REGISTRY_URL: fake.url,
      REGISTRY_USERNAME: "viktor",
      REGISTRY_PASSWORD: "0".repeat(40),
      PUSHGATEWAY_URL: pg.url,
      REGISTRY_INSTANCE: "forgejo-bad-pat",
    });
    expect(run.code).toBe(3);
    expect(groupSeries(await pg.series(), "registry-integrity-probe", "forgejo-bad-pat")[METRIC.catalogAccessible]).toBe(0);
  });
});

// docs/design.md, W4 (the hairpin): in the cluster the probe reaches Forgejo
// by its Service URL, while Forgejo names its public ROOT_URL as the token
// realm. Here the "public" address is a second server that counts what
// reaches it: with the realm pinned, nothing may.
describe("in-cluster URL with a public token realm (PIN_TOKEN_REALM=true)", () => {
  let fake: StartedForgejoFake;
  let pg: StartedPushgateway;
  let publicHost: Awaited<ReturnType<typeof startScriptedServer>>;

  beforeAll(async () => {
    // The public address is Forgejo behind the ingress: it passes requests on.
    publicHost = await startScriptedServer(async (req) => {
      const res = await fetch(`${fake.url}${req.path}`, { headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} });
      return { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json" }, body: await res.text() };
    });
    [fake, pg] = await Promise.all([startForgejoFake({ users: [{ login: "viktor" }], rootUrl: `${publicHost.url}/` }), startPushgateway()]);
    await pushImage({ url: fake.url, username: "viktor", password: fake.user("viktor").token }, "viktor/app", "v1", { seed: "fj-hairpin" });
    // The push itself went through the public realm, as docker push does; the probe must not.
    expect(publicHost.requests.length).toBeGreaterThan(0);
    publicHost.requests.length = 0;
  });
  afterAll(async () => {
    await Promise.all([fake?.stop(), pg?.stop(), publicHost?.stop()]);
  });

  it("the fake really names the public address as its realm", async () => {
    const res = await fetch(`${fake.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(`realm="${publicHost.url}/v2/token"`);
  });

  it("a good PAT walks the registry with Basic alone; the public address gets no request", async () => {
    const run = await runProbe({
      REGISTRY_URL: fake.url,
      REGISTRY_USERNAME: "viktor",
      REGISTRY_PASSWORD: fake.user("viktor").token,
      PIN_TOKEN_REALM: "true",
      REGISTRY_INSTANCE: "forgejo-hairpin",
      PUSHGATEWAY_URL: pg.url,
    });
    expect(run.code).toBe(0);
    expect(summary(run)).toMatchObject({ repositories: 1, tags: 1, failures: 0 });
    expect(publicHost.requests).toEqual([]);
  });

  it("a refused PAT is a catalog that cannot be read (exit 3), and the credentials still go nowhere else", async () => {
    const run = await runProbe({
      REGISTRY_URL: fake.url,
      REGISTRY_USERNAME: "viktor",
      REGISTRY_PASSWORD: "0".repeat(40),
      PIN_TOKEN_REALM: "true",
      REGISTRY_INSTANCE: "forgejo-hairpin-bad",
      PUSHGATEWAY_URL: pg.url,
    });
    expect(run.code).toBe(3);
    expect(run.lines.some((l) => /realm/i.test(JSON.stringify(l)))).toBe(true);
    expect(publicHost.requests).toEqual([]);
  });
});
