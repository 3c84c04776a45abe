// Drives the pure keep set to completion: ask it what it still needs,
// resolve exactly that through /v2, ask again. Only kept manifests (and what
// they reference) are ever fetched.
import { keepSet, type KeepRules } from "./keep-set.js";
import { mapLimit } from "./limit.js";
import type { PackageInventory, PackagePlan, ResolvedNode } from "./model.js";

/** Fetch one manifest by tag or digest and say what it references. */
export type Resolver = (repository: string, key: string) => Promise<ResolvedNode>;

/** Registries nest at most index -> image -> subject; cosign chains add a round each. */
export const MAX_ROUNDS = 16;

/** Plan one package, resolving its kept graph as deep as needed. */
export async function planPackage(
  pkg: PackageInventory, rules: KeepRules, now: number, resolve: Resolver, concurrency: number, signal?: AbortSignal,
): Promise<PackagePlan> {
  const graph = new Map<string, ResolvedNode>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = keepSet(pkg, graph, rules, now);
    if (result.needs.length === 0) {
      const { needs: _done, ...plan } = result;
      return plan;
    }
    await mapLimit(result.needs, concurrency, async (key) => void graph.set(key, await resolve(pkg.repository, key)), signal);
  }
  // Unreachable with real registries; if it happens, fail closed.
  const left = keepSet(pkg, graph, rules, now);
  const why = `the reference graph is deeper than ${MAX_ROUNDS} levels; ${left.needs.length} manifest(s) unresolved`;
  const frozen = [...left.frozen, why];
  return {
    name: left.name, repository: left.repository, frozen, broken: left.broken,
    decisions: left.decisions.map((d) => (d.action === "delete" ? { ...d, action: "keep", reason: { kind: "frozen", why } } : d)),
  };
}
