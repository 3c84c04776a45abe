import { describe, expect, it } from "vitest";
import { cosignTagsOf, planNames, targetName } from "../src/index.js";

describe("target names", () => {
  it("prefix, lower case, and the source prefix replaced", () => {
    expect(targetName("Team/App", "viktor/")).toBe("viktor/team/app");
    expect(targetName("viktor/app", "", "viktor/")).toBe("app");
  });

  it("two source names that collide after lower-casing are refused, both of them", () => {
    const plan = planNames(["App", "app", "web"], "viktor/");
    expect(plan.pairs).toEqual([{ source: "web", target: "viktor/web" }]);
    expect(plan.collisions).toEqual([{ sources: ["App", "app"], target: "viktor/app" }]);
  });

  it("finds cosign's signature, attestation and SBOM tags of a digest, nothing else", () => {
    const d = `sha256:${"ab".repeat(32)}`;
    const stem = `sha256-${"ab".repeat(32)}`;
    expect(cosignTagsOf(d, ["latest", `${stem}.sig`, `${stem}.att`, `${stem}.sbom`, `${stem}.other`, `sha256-${"cd".repeat(32)}.sig`])).toEqual([
      `${stem}.sig`,
      `${stem}.att`,
      `${stem}.sbom`,
    ]);
  });
});
