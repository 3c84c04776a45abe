// The Forgejo settings the registry depends on, each tied to a field-notes
// lesson, and the references between the objects (Service, Ingress,
// Middleware, PVC, in-cluster URL).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { k8sObjects, listFiles, loadYamlTree, repoRoot, type K8sObject } from "../src/index.js";

const objects = k8sObjects(loadYamlTree(join(repoRoot(), "manifests/forgejo"), listFiles).flatMap((f) => f.docs)).map((d) => d.value);
const get = (kind: string): K8sObject => {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind} in manifests/forgejo`);
  return o;
};
// Parsed YAML is navigated loosely here; manifests.test.ts checks the schemas.
/* eslint-disable @typescript-eslint/no-explicit-any -- the loose navigation above, in this file only */
const deploy = get("Deployment") as any;
const pvc = get("PersistentVolumeClaim") as any;
const service = get("Service") as any;
const ingress = get("Ingress") as any;
const middleware = get("Middleware") as any;
const pod = deploy.spec.template.spec;
const forgejo = pod.containers[0];
const envOf = (name: string) => forgejo.env.find((e: { name: string }) => e.name === name)?.value;

describe("Forgejo for the registry", () => {
  it("enables packages explicitly and keeps chunked uploads on the data volume", () => {
    expect(envOf("FORGEJO__packages__ENABLED")).toBe("true");
    const path = envOf("FORGEJO__packages__CHUNKED_UPLOAD_PATH") as string;
    const dataVolume = pod.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === pvc.metadata.name);
    const mount = forgejo.volumeMounts.find((m: any) => m.name === dataVolume.name);
    expect(path.startsWith(`${mount.mountPath}/`)).toBe(true);
  });

  it("runs with fsGroup 1000 (the CHUNKED_UPLOAD_PATH crash-loop)", () => {
    expect(pod.securityContext.fsGroup).toBe(1000);
  });

  it("has 1.5Gi request / 2Gi limit for push storms and advertises the public ROOT_URL", () => {
    expect(forgejo.resources.requests.memory).toBe("1536Mi");
    expect(forgejo.resources.limits.memory).toBe("2Gi");
    expect(envOf("FORGEJO__server__ROOT_URL")).toBe("https://forgejo.viktorbarzin.me/");
  });

  it("has a 15Gi volume that grows to 50Gi when less than 10% is free", () => {
    expect(pvc.spec.resources.requests.storage).toBe("15Gi");
    const ann = pvc.metadata.annotations;
    expect(ann["resize.topolvm.io/storage_limit"]).toBe("50Gi");
    // The threshold is free space: a value like 80% would resize almost at once.
    const pct = Number(/^(\d+)%$/.exec(ann["resize.topolvm.io/threshold"])?.[1]);
    expect(pct).toBe(10);
  });

  it("routes the Ingress through the 5 GiB body-limit Middleware to the Service", () => {
    expect(middleware.spec.buffering.maxRequestBodyBytes).toBe(5368709120);
    const ref = ingress.metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"];
    expect(ref).toBe(`${middleware.metadata.namespace}-${middleware.metadata.name}@kubernetescrd`);
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe(service.metadata.name);
    expect(ingress.spec.rules[0].host).toBe("forgejo.viktorbarzin.me");
  });

  it("serves the in-cluster URL the jobs use: http://forgejo.forgejo.svc.cluster.local on port 80", () => {
    expect(`http://${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`).toBe("http://forgejo.forgejo.svc.cluster.local");
    const port = service.spec.ports.find((p: any) => p.port === 80);
    expect(forgejo.ports.map((p: any) => p.name)).toContain(port.targetPort);
    expect(service.spec.selector).toEqual(deploy.spec.template.metadata.labels);
  });
});
