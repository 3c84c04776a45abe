// `sync cutover` against a real kube-apiserver (workloads created through the API, pod status through
// the status subresource) and two real registry:2: the source plays registry:2 and the target plays
// Forgejo (viktor/ under TARGET_PREFIX). Each case is a workload image in one cutover state; the
// assertions are about the report lines, the gauges the Pushgateway then holds and the exit code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  kubeApiserverMissingReason,
  pushImage,
  pushIndex,
  skipReasonOutsideCI,
  startKubeApiserver,
  startPushgateway,
  startRegistry,
  type KubeObject,
  type StartedKubeApiserver,
  type StartedPushgateway,
  type StartedRegistry,
} from "@regguard/testkit";
import { runSync, type SyncRun } from "./run-sync.js";

const skip = skipReasonOutsideCI("sync cutover tests", kubeApiserverMissingReason());

const cutover = (env: Record<string, string>): Promise<SyncRun> => runSync("cutover", env);
const template = (image: string) => ({ metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image }] } });
const selector = { matchLabels: { app: "x" } };

describe("sync cutover", () => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  let kube: StartedKubeApiserver;
  let src: StartedRegistry;
  let dst: StartedRegistry;
  let pg: StartedPushgateway;
  let kubeconfig: string;
  const env = (extra: Record<string, string> = {}) => ({
    SOURCE_URL: src.url,
    TARGET_URL: dst.url,
    TARGET_PREFIX: "viktor/",
    KUBECONFIG: kubeconfig,
    PUSHGATEWAY_URL: pg.url,
    INSTANCE: "test",
    ...extra,
  });

  beforeAll(async () => {
    [kube, src, dst, pg] = await Promise.all([startKubeApiserver(), startRegistry(), startRegistry(), startPushgateway()]);
    kubeconfig = await kube.kubeconfig();
  }, 180_000);
  afterAll(async () => {
    await Promise.all([kube?.stop(), src?.stop(), dst?.stop(), pg?.stop()]);
  });

  it("reports every workload image of ours in its state, pushes the gauges and exits 1 while any is not ready", async () => {
    const s = { url: src.url };
    const t = { url: dst.url };
    // Already on Forgejo and pulled from there: a pod runs it (pulled digest in its status).
    const ready = await pushImage(t, "viktor/ready", "1", { seed: "ready" });
    // Still pulled from registry:2; copied to Forgejo digest for digest (same bytes on both).
    await pushImage(s, "web", "2", { seed: "web" });
    await pushImage(t, "viktor/web", "2", { seed: "web" });
    // On registry:2 only.
    await pushImage(s, "api", "1", { seed: "api" });
    // On both, but Forgejo's tag is another image.
    await pushImage(s, "db", "3", { seed: "db-source" });
    await pushImage(t, "viktor/db", "3", { seed: "db-forgejo" });
    // On Forgejo, an index one of whose children lost a layer.
    const multi = await pushIndex(t, "viktor/multi", "1", { seed: "multi" });
    await dst.deleteBlobData(multi.children[1]!.layers[0]!.digest);

    const ns = "apps";
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "ready-0", namespace: ns },
      spec: {
        containers: [
          { name: "c", image: `${dst.host}/viktor/ready:1` },
          { name: "side", image: "nginx:1.27" },
        ],
      },
    };
    await kube.create(pod);
    await kube.putStatus(pod, {
      phase: "Running",
      containerStatuses: [
        {
          name: "c",
          image: `${dst.host}/viktor/ready:1`,
          imageID: `${dst.host}/viktor/ready@${ready.digest}`,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: {} },
        },
      ],
    });
    await kube.create({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web-1", namespace: ns },
      spec: { replicas: 0, selector, template: template(`${src.host}/web:2`) },
    });
    await kube.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: ns },
      spec: { selector, template: template(`${src.host}/api:1`) },
    });
    await kube.create({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: ns },
      spec: { serviceName: "db", selector, template: template(`${src.host}/db:3`) },
    });
    await kube.create({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "multi", namespace: ns },
      spec: {
        schedule: "@daily",
        jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: `${dst.host}/viktor/multi:1` }], restartPolicy: "Never" } } } },
      },
    });

    const r = await cutover(env({ KUBE_PAGE_SIZE: "2" }));
    const report = Object.fromEntries(
      r.lines
        .filter((l) => l.msg.startsWith("cutover image"))
        .map((l) => [String(l.forgejo), `${String(l.state)} ${String(l.pullsFrom)} ${JSON.stringify(l.by)}`]),
    );
    expect(report).toEqual({
      "viktor/ready": `ready forgejo ["${ns}/Pod/ready-0"]`,
      "viktor/web": `ready registry2 ["${ns}/ReplicaSet/web-1"]`,
      "viktor/api": `missing registry2 ["${ns}/Deployment/api"]`,
      "viktor/db": `drifted registry2 ["${ns}/StatefulSet/db"]`,
      "viktor/multi": `broken forgejo ["${ns}/CronJob/multi"]`,
    });
    // The pod's spec names the tag, its status the digest it runs: one image, checked by that digest.
    const readyLine = r.lines.find((l) => l.forgejo === "viktor/ready");
    expect(readyLine).toMatchObject({ digest: ready.digest, digestFrom: "workload" });
    expect(r.lines.find((l) => l.forgejo === "viktor/db")?.forgejoDigest).toMatch(/^sha256:/);
    expect(r.code).toBe(1);
    expect(r.lines.find((l) => l.msg.startsWith("Cutover:"))?.msg).toBe(
      "Cutover: 2 of 5 workload images ready on Forgejo (1 missing, 1 drifted, 1 broken); 3 still pulled from registry:2",
    );

    const gauges = Object.fromEntries((await pg.series()).filter((x) => x.name === "registry_cutover_images").map((x) => [x.labels.state, x.value]));
    expect(gauges).toEqual({ ready: 2, missing: 1, drifted: 1, broken: 1, on_registry2: 3 });
    const instance = (await pg.series()).find((x) => x.name === "registry_cutover_images")?.labels.instance;
    expect(instance).toBe("test");
    expect((await pg.series()).find((x) => x.name === "regguard_build_info" && x.labels.instance === "test")?.labels).toMatchObject({
      job: "registry-sync",
      version: "0.1.0",
    });
  });

  it("a token without the role lists nothing: exit 3, and no gauge is pushed that could read as 'nothing left on registry:2'", async () => {
    const token = await kube.serviceAccountToken("apps", "no-role");
    const before = (await pg.series()).filter((x) => x.name === "registry_cutover_images" && x.labels.instance === "forbidden");
    const r = await cutover(env({ KUBECONFIG: await kube.kubeconfig(token, "no-role"), INSTANCE: "forbidden" }));
    expect(r.code).toBe(3);
    expect(r.lines.find((l) => l.level === "error")?.errorCode).toBe("KUBE_FORBIDDEN");
    expect(before).toEqual([]);
    expect((await pg.series()).filter((x) => x.name === "registry_cutover_images" && x.labels.instance === "forbidden")).toEqual([]);
  });
});
