// Every built-in object in manifests/ against the real schema: `kubectl apply --dry-run=server` to a
// real kube-apiserver (the test kit's; scripts/kube-apiserver.sh builds it). The server runs its
// defaulting, validation and admission without storing anything, which catches what the offline
// checks in manifests.test.ts cannot: a field dropped in this release, an immutable or cross-field
// rule, a name the API refuses. Custom resources (PrometheusRule, Middleware, ClusterPolicy) have
// no CRD any package this project installs ships, so they are left to the offline shape checks,
// with the reason printed.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findBinary,
  kubeApiserverMissingReason,
  makeTempDir,
  removeDir,
  runCommand,
  skipReasonOutsideCI,
  startKubeApiserver,
  type StartedKubeApiserver,
} from "@regguard/testkit";
import { describe as describeDoc, k8sObjects, listFiles, loadYamlTree, rel, repoRoot, type K8sObject } from "../src/index.js";

const root = repoRoot();
const files = loadYamlTree(join(root, "manifests"), listFiles);
const objects = k8sObjects(files.flatMap((f) => f.docs));
const kubectlMissing = findBinary("kubectl") === undefined ? "kubectl is not installed (apt-get install kubectl; scripts/setup.sh does)" : undefined;
const skip = skipReasonOutsideCI("kubectl apply --dry-run=server of manifests/", kubeApiserverMissingReason() ?? kubectlMissing);

/** Built-in API groups: anything else is a custom resource. */
const BUILTIN_GROUP = /^(v1|(apps|batch|networking\.k8s\.io|rbac\.authorization\.k8s\.io|policy|storage\.k8s\.io|autoscaling)\/v\d+)$/;
const builtin = objects.filter((d) => BUILTIN_GROUP.test(d.value.apiVersion));
const custom = objects.filter((d) => !BUILTIN_GROUP.test(d.value.apiVersion));

/** The namespace kustomize would give an object without one (its directory's kustomization.yaml). */
function namespaceOf(doc: (typeof objects)[number]): string | undefined {
  if (doc.value.metadata?.namespace) return doc.value.metadata.namespace;
  const kustomization = files.find((f) => f.file === join(doc.file, "..", "kustomization.yaml"))?.docs[0]?.value as { namespace?: string } | undefined;
  return kustomization?.namespace;
}

describe("manifests/ against a real kube-apiserver (kubectl apply --dry-run=server)", () => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  let kube: StartedKubeApiserver;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    kube = await startKubeApiserver();
    kubeconfig = await kube.kubeconfig();
    dir = await makeTempDir("apply");
    // Namespaced objects need their namespace to exist; it is created for real, the objects are not.
    for (const ns of new Set(builtin.map(namespaceOf).filter((n): n is string => n !== undefined))) {
      await kube.api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    }
    if (custom.length > 0) {
      console.warn(
        `kubectl apply --dry-run=server: not applied (no CRD ships in a package this project installs; the offline shape checks cover them): ${custom.map(describeDoc).join(", ")}`,
      );
    }
  }, 180_000);
  afterAll(async () => {
    await kube?.stop();
    if (dir) await removeDir(dir);
  });

  it("has built-in objects to apply, and knows which are custom resources", () => {
    expect(builtin.length).toBeGreaterThan(10);
    expect(new Set(custom.map((d) => d.value.kind))).toEqual(new Set(["PrometheusRule", "Middleware", "ClusterPolicy"]));
  });

  it.each(builtin.map((d, i) => [`${describeDoc(d)} (${rel(d.file)})`, d, i] as const))("%s is accepted by the API server", async (_name, doc, i) => {
    const ns = namespaceOf(doc);
    const obj: K8sObject = {
      ...doc.value,
      metadata: { ...doc.value.metadata, ...(ns !== undefined && !CLUSTER_SCOPED.has(doc.value.kind) ? { namespace: ns } : {}) },
    };
    const file = join(dir, `object-${i}.json`);
    writeFileSync(file, JSON.stringify(obj));
    const res = await runCommand(findBinary("kubectl")!, ["--kubeconfig", kubeconfig, "apply", "--dry-run=server", "-f", file, "-o", "name"]);
    expect(res.stderr.trim(), res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(`${kindPath(obj)}/${obj.metadata?.name}`);
  });

  it("refuses what the offline schema cannot see: a CronJob with an invalid schedule and a Service port out of range", async () => {
    const cronJob = builtin.find((d) => d.value.kind === "CronJob")!;
    const bad = {
      ...cronJob.value,
      metadata: { ...cronJob.value.metadata, namespace: namespaceOf(cronJob) },
      spec: { ...(cronJob.value.spec as object), schedule: "61 * * * *" },
    };
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(bad));
    const res = await runCommand(findBinary("kubectl")!, ["--kubeconfig", kubeconfig, "apply", "--dry-run=server", "-f", file]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/spec\.schedule/);
  });
});

const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"]);

/** `kubectl -o name` form: lower-case kind, with the group when not core. */
function kindPath(obj: K8sObject): string {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ""}`;
}
