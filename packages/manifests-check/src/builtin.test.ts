import { describe, expect, it } from "vitest";
import { validateBuiltin } from "./builtin.js";

describe("validateBuiltin", () => {
  it("passes a valid object and reports enum and type errors", async () => {
    const cj = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "x" }, spec: { schedule: "0 4 * * *", jobTemplate: {} } };
    expect(await validateBuiltin(cj)).toEqual([]);
    const bad = await validateBuiltin({ ...cj, spec: { ...cj.spec, concurrencyPolicy: "forbid", suspend: "no" } });
    expect(bad?.join("\n")).toMatch(/concurrencyPolicy/);
    expect(bad?.join("\n")).toMatch(/suspend/);
  });

  it("returns undefined for kinds kubernetes-models does not ship", async () => {
    expect(await validateBuiltin({ apiVersion: "kyverno.io/v1", kind: "ClusterPolicy" })).toBeUndefined();
  });
});
