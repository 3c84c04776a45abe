// planPackage's own stops (src/resolve.ts), fed a scripted resolver: the graph-depth fallback
// freezes the package instead of deleting on a half-read graph (issue 16). Each test was checked
// by breaking resolve.ts once by hand: returning the partial plan instead of freezing it, and
// counting rounds without a limit (the deep chain then resolves to the end and deletes `old`).
import { describe, expect, it } from "vitest";
import type { DigestText, InventoryVersion, PackageInventory, ResolvedNode } from "./model.js";
import { reasonText } from "./model.js";
import { MAX_ROUNDS, planPackage } from "./resolve.js";

const d = (n: number): DigestText => `sha256:${n.toString(16).padStart(64, "0")}` as DigestText;
const rules = { keepLastN: 0, keepTags: /^latest$/, untaggedGraceMs: 0 };
const NOW = Date.parse("2024-06-01T00:00:00Z");
const at = Date.parse("2024-05-01T00:00:00Z");

/**
 * `latest` is an index whose child is an index whose child is ... `depth` levels down: each level
 * is one more round of resolving. The chain's members are untagged versions, `old` a plain tag
 * that nothing keeps, so a plan that is not frozen deletes it.
 */
function chain(depth: number) {
  const versions: InventoryVersion[] = [
    { id: 1, name: "latest", createdAt: at, digest: { state: "known", digest: d(1) } },
    { id: 2, name: "old", createdAt: at, digest: { state: "known", digest: d(1_000_000) } },
  ];
  const graph = new Map<string, ResolvedNode>([["latest", { state: "ok", digest: d(1), refs: [d(2)] }]]);
  for (let level = 2; level <= depth; level++) {
    versions.push({ id: level + 1, name: d(level), createdAt: at, digest: { state: "known", digest: d(level) } });
    graph.set(d(level), { state: "ok", digest: d(level), refs: level < depth ? [d(level + 1)] : [] });
  }
  const pkg: PackageInventory = { name: "p", repository: "viktor/p", versions, registryTags: { state: "ok", tags: ["latest", "old"] } };
  return { pkg, graph };
}

async function plan(depth: number) {
  const { pkg, graph } = chain(depth);
  let rounds = 0;
  const asked = new Set<string>();
  const result = await planPackage(
    pkg,
    rules,
    NOW,
    async (_repo, key) => {
      if (!asked.has(key)) rounds++;
      asked.add(key);
      return graph.get(key) ?? { state: "missing", message: `404 for ${key}` };
    },
    4,
  );
  return { result, rounds, reasons: Object.fromEntries(result.decisions.map((x) => [x.version, reasonText(x.reason)])) };
}

describe("planPackage's graph-depth fallback", () => {
  it("a chain within the limit is read to its end: every link kept as referenced, the unkept tag deleted, nothing frozen", async () => {
    const { result, reasons } = await plan(MAX_ROUNDS - 2);
    expect(result.frozen).toEqual([]);
    expect(reasons["old"]).toBe("delete");
    expect(reasons[d(MAX_ROUNDS - 2)]).toMatch(/^referenced/);
  });

  it("a chain deeper than the limit freezes the package: no delete, the reason names the depth and the unresolved count", async () => {
    const { result, reasons, rounds } = await plan(MAX_ROUNDS + 10);
    // It stopped asking: no more than the limit's rounds of manifests were fetched.
    expect(rounds).toBeLessThanOrEqual(MAX_ROUNDS + 1);
    expect(result.frozen).toHaveLength(1);
    expect(result.frozen[0]).toBe(`the reference graph is deeper than ${MAX_ROUNDS} levels; 1 manifest(s) unresolved`);
    expect(result.decisions.filter((x) => x.action === "delete")).toEqual([]);
    expect(reasons["old"]).toBe(`frozen: ${result.frozen[0]}`);
    // What was kept for a reason before the freeze keeps that reason.
    expect(reasons["latest"]).toBe("latest");
  });
});
