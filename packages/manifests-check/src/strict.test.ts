import { describe, expect, it } from "vitest";
import { unknownFields } from "./strict.js";

const cronJob = (podSecurity: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "x", labels: { "any/label": "ok" }, annotations: { "free.form/key": "ok" } },
  spec: {
    schedule: "*/15 * * * *",
    jobTemplate: {
      spec: {
        template: {
          spec: {
            restartPolicy: "Never",
            securityContext: podSecurity,
            containers: [{ name: "c", image: "i", resources: { limits: { memory: "256Mi" }, requests: { cpu: 0.05 } }, ...extra }],
          },
        },
      },
    },
  },
});

describe("unknownFields", () => {
  it("accepts known fields, free-form maps and quantities", () => {
    expect(unknownFields(cronJob({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }))).toEqual([]);
  });

  it("finds misspelt security fields the API server would drop silently", () => {
    const found = unknownFields(cronJob({ runAsNonroot: true }, { securityContext: { readOnlyRootFileSystem: true } }));
    expect(found).toEqual([
      { path: "spec.jobTemplate.spec.template.spec.securityContext.runAsNonroot", type: "PodSecurityContext" },
      { path: "spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem", type: "SecurityContext" },
    ]);
  });

  it("walks Deployment, Service, Ingress, PVC and Secret", () => {
    expect(unknownFields({ apiVersion: "apps/v1", kind: "Deployment", spec: { replica: 1 } })).toEqual([{ path: "spec.replica", type: "DeploymentSpec" }]);
    expect(unknownFields({ apiVersion: "v1", kind: "Service", spec: { ports: [{ port: 80, target: 1 }] } })).toEqual([
      { path: "spec.ports[0].target", type: "ServicePort" },
    ]);
    expect(unknownFields({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", spec: { ingressClass: "x" } })).toEqual([
      { path: "spec.ingressClass", type: "IngressSpec" },
    ]);
    expect(unknownFields({ apiVersion: "v1", kind: "PersistentVolumeClaim", spec: { resources: { requests: { storage: "1Gi" } }, size: 1 } })).toEqual([
      { path: "spec.size", type: "PersistentVolumeClaimSpec" },
    ]);
    expect(unknownFields({ apiVersion: "v1", kind: "Secret", metadata: { nme: "x" }, stringData: { a: "b" } })).toEqual([
      { path: "metadata.nme", type: "ObjectMeta" },
    ]);
  });

  it("says nothing about kinds it does not know", () => {
    expect(unknownFields({ apiVersion: "traefik.io/v1alpha1", kind: "Middleware", spec: {} })).toBeUndefined();
  });
});
