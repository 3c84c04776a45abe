import { describe, expect, it } from "vitest";
import { CLUSTER_POLICY, MIDDLEWARE, PROMETHEUS_RULE } from "./crd-shapes.js";
import { checkShape } from "./shape.js";

describe("checkShape with the CRD shapes", () => {
  it("rejects unknown and mistyped Middleware fields", () => {
    const mw = { apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: {}, spec: { buffering: { maxRequestBodyBytes: "5g", maxBodyBytes: 1 } } };
    expect(checkShape(mw, MIDDLEWARE)).toEqual(["spec.buffering.maxRequestBodyBytes must be an integer", "spec.buffering.maxBodyBytes is not a known field"]);
  });

  it("requires expr and rejects unknown rule fields in a PrometheusRule", () => {
    const pr = { metadata: {}, spec: { groups: [{ name: "g", rules: [{ alert: "A", for: "5m", severity: "x" }] }] } };
    expect(checkShape(pr, PROMETHEUS_RULE)).toEqual(["spec.groups[0].rules[0].expr is required", "spec.groups[0].rules[0].severity is not a known field"]);
  });

  it("requires generate.apiVersion (Kyverno 1.10+) and a complete clone source", () => {
    const cp = { metadata: {}, spec: { rules: [{ name: "r", match: { any: [] }, generate: { kind: "Secret", name: "s", clone: { name: "s" } } }] } };
    expect(checkShape(cp, CLUSTER_POLICY)).toEqual(["spec.rules[0].generate.apiVersion is required", "spec.rules[0].generate.clone.namespace is required"]);
  });
});
