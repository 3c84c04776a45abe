// IN_USE=kubernetes against a real API server (kube-apiserver built by scripts/kube-apiserver.sh, etcd
// from Debian) and a Forgejo (the fake and the pinned real server): what a workload names or runs is
// kept whatever KEEP_LAST_N and UNTAGGED_GRACE say, and a cluster that cannot be read deletes nothing.
// Nothing schedules pods here, so a pod's pulled digest is written through the status subresource.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  kubeApiserverMissingReason,
  pushImage,
  skipReasonOutsideCI,
  startKubeApiserver,
  type KubeObject,
  type ReplayServer,
  type StartedKubeApiserver,
} from "@regguard/testkit";
import { at, liveEnv, mutations, planOf, REPLAY_TARGETS, runJob, target, versionDeletes, type LogLine } from "./harness.js";

const skipKube = skipReasonOutsideCI("retention IN_USE=kubernetes tests", kubeApiserverMissingReason());
const RBAC_FILE = join(import.meta.dirname, "..", "..", "..", "manifests", "forgejo", "retention-rbac.yaml");

let kube: StartedKubeApiserver | undefined;
beforeAll(async () => {
  if (skipKube === undefined) kube = await startKubeApiserver();
}, 180_000);
afterAll(async () => {
  await kube?.stop();
});

const pod = (ns: string, name: string, spec: unknown): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns }, spec });
const template = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ metadata: { labels: { app: "x" } }, spec: { containers, ...extra } });
const selector = { matchLabels: { app: "x" } };
const running = (name: string, image: string, imageID: string) => ({
  name,
  image,
  imageID,
  ready: true,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: "2024-05-20T00:00:00Z" } },
});

/** Every namespace a case created is its own: cases on the fake and the real server do not see each other's workloads. */
let nsCounter = 0;
const freshNamespace = (): string => `case-${++nsCounter}-${Date.now().toString(36)}`;

const reasons = (lines: readonly LogLine[], pkg: string): Record<string, string> => planOf(lines, pkg);

describe.each(REPLAY_TARGETS)("IN_USE=kubernetes on $name", ({ start, skip }) => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  if (skipKube !== undefined) return void it.skip(`skipped: ${skipKube}`, () => undefined);
  let fake: ReplayServer;
  let host: string;
  let adminConfig: string;
  beforeAll(async () => {
    fake = await start();
    host = new URL(fake.url).host;
    adminConfig = await kube!.kubeconfig();
  }, 120_000);
  afterAll(async () => {
    await fake?.stop();
  });
  // Workloads stay for the whole file (without a controller manager a namespace is never emptied);
  // each server's images name its own host and port, so the other server's cases never match them.
  const ns = freshNamespace;
  const env = (extra: Record<string, string> = {}) => liveEnv(fake, { IN_USE: "kubernetes", KUBECONFIG: adminConfig, KEEP_LAST_N: "1", ...extra });

  it("keeps what workloads run or can roll back to, outside KEEP_LAST_N and past UNTAGGED_GRACE, and deletes the rest", async () => {
    const n = ns();
    const app = `${host}/viktor/app`;
    // The digest `latest` had when the pod started; `latest` has moved since, so it is untagged and a month old.
    at(fake, "2024-05-01T00:00:00Z");
    const previous = await pushImage(target(fake), "viktor/app", undefined);
    await pushImage(target(fake), "viktor/app", "v1"); // a scaled-to-zero ReplicaSet's tag (a rollback target)
    await pushImage(target(fake), "viktor/app", "v2"); // named by digest only
    const v2 = await pushImage(target(fake), "viktor/app", "v2b");
    await pushImage(target(fake), "viktor/app", "v3"); // a CronJob's
    await pushImage(target(fake), "viktor/app", "v4"); // an init container's
    await pushImage(target(fake), "viktor/app", "v5"); // a StatefulSet's ControllerRevision
    await pushImage(target(fake), "viktor/app", "v6"); // nobody's: deleted
    const orphan = await pushImage(target(fake), "viktor/app", undefined); // nobody's: deleted
    at(fake, "2024-05-10T00:00:00Z");
    await pushImage(target(fake), "viktor/app", "latest");
    await pushImage(target(fake), "viktor/app", "v9"); // the newest: KEEP_LAST_N=1

    const web = pod(n, "web", { containers: [{ name: "app", image: `${app}:latest` }], initContainers: [{ name: "migrate", image: `${app}:v4` }] });
    await kube!.create(web);
    await kube!.putStatus(web, { phase: "Running", containerStatuses: [running("app", `${app}:latest`, `${app}@${previous.digest}`)] });
    await kube!.create({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web-5d8f", namespace: n },
      spec: { replicas: 0, selector, template: template([{ name: "app", image: `${app}:v1` }]) },
    });
    await kube!.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "pinned", namespace: n },
      spec: { replicas: 1, selector, template: template([{ name: "app", image: `${app}@${v2.digest}` }]) },
    });
    await kube!.create({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "nightly", namespace: n },
      spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: template([{ name: "job", image: `${app}:v3` }], { restartPolicy: "Never" }) } } },
    });
    await kube!.create({
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: "db-7c9d", namespace: n },
      revision: 3,
      data: { spec: { template: { $patch: "replace", ...template([{ name: "db", image: `${app}:v5` }]) } } },
    });

    const { code, lines } = await runJob(env());
    expect(code).toBe(0);
    expect(reasons(lines, "app")).toEqual({
      latest: "keep: latest",
      v9: "keep: newest",
      [previous.digest]: `keep: in-use ${n}/Pod/web`,
      v1: `keep: in-use ${n}/ReplicaSet/web-5d8f`,
      v2b: `keep: in-use ${n}/Deployment/pinned`,
      v3: `keep: in-use ${n}/CronJob/nightly`,
      v4: `keep: in-use ${n}/Pod/web`,
      v5: `keep: in-use ${n}/ControllerRevision/db-7c9d`,
      v2: "delete",
      v6: "delete",
      [orphan.digest]: "delete",
    });
    expect(
      versionDeletes(fake)
        .map((p) => p.split("/").pop())
        .sort(),
    ).toEqual(["v2", "v6", orphan.digest].sort());
    expect(lines.find((l) => l.msg === "plan totals")?.inUse).toBe("read");

    // The same cluster with IN_USE=off: every in-use version above would have gone (the test can fail).
    const off = await runJob(env({ IN_USE: "off", DRY_RUN: "true" }));
    expect(
      Object.entries(reasons(off.lines, "app"))
        .filter(([, r]) => r === "delete")
        .map(([v]) => v)
        .sort(),
    ).toEqual([previous.digest, "v1", "v2b", "v3", "v4", "v5"].sort());
  });

  it("reads every page: with one object per page nothing is missed, and a registry alias maps registry:2's name to viktor/", async () => {
    const n = ns();
    at(fake, "2024-05-01T00:00:00Z");
    for (const tag of ["r1", "r2", "r3", "r4", "r5"]) await pushImage(target(fake), "viktor/paged", tag);
    for (const [i, tag] of ["r1", "r2", "r3"].entries()) {
      await kube!.create({
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: { name: `paged-${i}`, namespace: n },
        spec: { replicas: 0, selector, template: template([{ name: "c", image: `${host}/viktor/paged:${tag}` }]) },
      });
    }
    // During the bake a workload still pulls from registry:2; the sync job copied it to viktor/paged.
    // (A host of this case's own: the other server's cases run against the same API server.)
    const registry2 = `registry-${n}.example:5050`;
    await kube!.create(pod(n, "old-registry", { containers: [{ name: "c", image: `${registry2}/paged:r4` }] }));
    const { code, lines } = await runJob(env({ DRY_RUN: "true", KEEP_LAST_N: "0", IN_USE_PAGE_SIZE: "1", IN_USE_ALIASES: `${registry2}=viktor/` }));
    expect(code).toBe(0);
    expect(reasons(lines, "paged")).toEqual({
      r1: `keep: in-use ${n}/ReplicaSet/paged-0`,
      r2: `keep: in-use ${n}/ReplicaSet/paged-1`,
      r3: `keep: in-use ${n}/ReplicaSet/paged-2`,
      r4: `keep: in-use ${n}/Pod/old-registry`,
      r5: "delete",
    });
    const read = lines.find((l) => l.msg.startsWith("in use: the cluster"));
    // One object per page: at least one request per object listed, plus the last page of each kind.
    const objects = Object.values(read?.objects as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(read?.requests).toBeGreaterThanOrEqual(objects);
    expect(objects).toBeGreaterThanOrEqual(4);
  });

  it("a ServiceAccount without the role is forbidden: a live run deletes nothing and exits 2; a dry run warns and plans", async () => {
    const n = ns();
    at(fake, "2024-05-01T00:00:00Z");
    for (const tag of ["f1", "f2", "f3"]) await pushImage(target(fake), "viktor/forbidden", tag);
    const token = await kube!.serviceAccountToken(n, "no-role");
    const config = await kube!.kubeconfig(token, "no-role");
    fake.requests.length = 0;
    const live = await runJob(env({ KUBECONFIG: config }));
    expect(live.code).toBe(2);
    expect(mutations(fake)).toEqual([]);
    const stop = live.lines.find((l) => l.level === "error");
    expect(String(stop?.msg)).toMatch(/KUBE_FORBIDDEN.*forbidden \(403\).*nothing is deleted/);
    expect(live.lines.some((l) => l.msg === "plan")).toBe(false);

    const dry = await runJob(env({ KUBECONFIG: config, DRY_RUN: "true" }));
    expect(dry.code).toBe(0);
    expect(dry.lines.some((l) => l.level === "warn" && l.msg.startsWith("DRY RUN WITHOUT THE CLUSTER") && /forbidden/.test(l.msg))).toBe(true);
    expect(dry.lines.find((l) => l.msg === "plan totals")?.inUse).toBe("unknown");
    expect(mutations(fake)).toEqual([]);
  });

  it("the ClusterRole in manifests/forgejo/retention-rbac.yaml is enough: its ServiceAccount reads every kind", async () => {
    const n = ns();
    const docs = parseAllDocuments(readFileSync(RBAC_FILE, "utf8")).map((d) => d.toJSON() as KubeObject);
    const role = docs.find((d) => d.kind === "ClusterRole")!;
    const binding = docs.find((d) => d.kind === "ClusterRoleBinding")!;
    const account = docs.find((d) => d.kind === "ServiceAccount")!;
    // Bound under this case's names so both servers' cases can apply it.
    const roleName = `${role.metadata.name}-${n}`;
    await kube!.create({ ...role, metadata: { ...role.metadata, name: roleName } });
    await kube!.create({
      ...binding,
      metadata: { ...binding.metadata, name: `${binding.metadata.name}-${n}` },
      roleRef: { ...(binding.roleRef as object), name: roleName },
      subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: n }],
    });
    const token = await kube!.serviceAccountToken(n, account.metadata.name);
    at(fake, "2024-05-01T00:00:00Z");
    for (const tag of ["b1", "b2"]) await pushImage(target(fake), "viktor/bound", tag);
    await kube!.create(pod(n, "bound", { containers: [{ name: "c", image: `${host}/viktor/bound:b1` }] }));
    const { code, lines } = await runJob(env({ KUBECONFIG: await kube!.kubeconfig(token, "bound"), DRY_RUN: "true", KEEP_LAST_N: "0" }));
    expect(code).toBe(0);
    expect(reasons(lines, "bound")).toEqual({ b1: `keep: in-use ${n}/Pod/bound`, b2: "delete" });
  });
});

describe("IN_USE configuration", () => {
  it("refuses an unknown mode and a malformed alias before any request (exit 2)", async () => {
    const { code, lines } = await runJob({
      FORGEJO_HOST: "http://127.0.0.1:9",
      FORGEJO_OWNER: "viktor",
      FORGEJO_TOKEN: "t",
      IN_USE: "k8s",
      IN_USE_ALIASES: "registry.example",
    });
    expect(code).toBe(2);
    const text = JSON.stringify(lines);
    expect(text).toContain("IN_USE must be off or kubernetes");
    expect(text).toContain("IN_USE_ALIASES: alias");
  });

  it("with IN_USE=kubernetes and no KUBECONFIG outside a pod, a live run stops with exit 2 and says what to set", async () => {
    const { code, lines } = await runJob({
      FORGEJO_HOST: "http://127.0.0.1:9",
      FORGEJO_OWNER: "viktor",
      FORGEJO_TOKEN: "t",
      IN_USE: "kubernetes",
      DRY_RUN: "false",
    });
    expect(code).toBe(2);
    expect(JSON.stringify(lines)).toContain("no Kubernetes configuration: set KUBECONFIG");
  });
});
