import { describe, expect, it } from "vitest";
import { podSecurityProblems } from "./pod-security.js";

const good = {
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
  containers: [{ name: "job", securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
};

describe("podSecurityProblems", () => {
  it("accepts the baseline", () => {
    expect(podSecurityProblems(good)).toEqual([]);
  });

  it("reports each missing protection", () => {
    const p = podSecurityProblems({ containers: [{ name: "job", securityContext: { runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } } }] });
    expect(p).toEqual([
      "container job: runAsNonRoot must be true (pod or container securityContext)",
      "container job: runAsUser must be a non-zero uid",
      "container job: securityContext.readOnlyRootFilesystem must be true",
      "container job: securityContext.allowPrivilegeEscalation must be false",
      "container job: securityContext.capabilities.drop must include ALL",
      "container job: must not add capabilities",
      "container job: seccompProfile.type must be RuntimeDefault",
    ]);
  });

  it("lets a container override the pod into root, and catches it", () => {
    const c = { ...good.containers[0], securityContext: { ...good.containers[0]?.securityContext, runAsNonRoot: false } };
    expect(podSecurityProblems({ ...good, containers: [c] })).toEqual(["container job: runAsNonRoot must be true (pod or container securityContext)"]);
  });
});
