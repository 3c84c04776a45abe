// Drives the pure keep set to completion: ask it what it still needs,
// resolve exactly that through /v2, ask again. Only kept manifests (and what
// they reference) are ever fetched. A kept root that answers 404 freezes the
// package unless a re-list shows it was deleted during the run; then the
// package is planned again without it.
import { freezePlan } from "./freeze.js";
import { keepSet, type KeepRules, type KeepSetResult } from "./keep-set.js";
import { mapLimit } from "./limit.js";
import type { InUseRoot, PackageInventory, PackagePlan, ResolvedNode } from "./model.js";
import { norm } from "./names.js";

/** Fetch one manifest by tag or digest and say what it references. */
export type Resolver = (repository: string, key: string) => Promise<ResolvedNode>;

/** The package's version names as listed now (lower-cased), or an Error when it cannot be listed. */
export type Relister = (pkg: PackageInventory) => Promise<ReadonlySet<string> | Error>;

/** Registries nest at most index -> image -> subject; cosign chains add a round each. */
export const MAX_ROUNDS = 16;

/** Re-plans after roots that vanished during the run; more than this and the package is frozen. */
export const MAX_REPLANS = 3;

/** Plan one package, resolving its kept graph as deep as needed. */
export async function planPackage(
  pkg: PackageInventory,
  rules: KeepRules,
  now: number,
  resolve: Resolver,
  concurrency: number,
  opts: { relist?: Relister; signal?: AbortSignal; inUse?: readonly InUseRoot[] } = {},
): Promise<PackagePlan> {
  const graph = new Map<string, ResolvedNode>();
  const gone: string[] = [];
  let current = pkg;
  for (let replan = 0; ; replan++) {
    const result = await converge(current, rules, now, resolve, concurrency, graph, opts.signal, opts.inUse ?? []);
    if (result.needs.length > 0) {
      // Unreachable with real registries; if it happens, fail closed.
      const why = `the reference graph is deeper than ${MAX_ROUNDS} levels; ${result.needs.length} manifest(s) unresolved`;
      return freezePlan(done(result, gone), [why]);
    }
    if (result.unreadable.length === 0 || !opts.relist) return done(result, gone);
    const listed = await opts.relist(current);
    if (listed instanceof Error) {
      return freezePlan(done(result, gone), [
        `cannot re-list ${pkg.name} to tell whether ${result.unreadable.join(", ")} was deleted during the run: ${listed.message}`,
      ]);
    }
    const vanished = new Set(result.unreadable.filter((name) => !listed.has(name)));
    // Still listed: the freeze keepSet already put in stands.
    if (vanished.size === 0) return done(result, gone);
    if (replan >= MAX_REPLANS) return freezePlan(done(result, gone), [`kept versions kept vanishing while ${pkg.name} was planned`]);
    gone.push(...vanished);
    const { registryTags } = current;
    current = {
      ...current,
      versions: current.versions.filter((v) => !vanished.has(v.name)),
      // /v2 was listed before the delete too; without the vanished tags it agrees again.
      registryTags: registryTags.state === "ok" ? { state: "ok", tags: registryTags.tags.filter((t) => !vanished.has(norm(t))) } : registryTags,
    };
  }
}

async function converge(
  pkg: PackageInventory,
  rules: KeepRules,
  now: number,
  resolve: Resolver,
  concurrency: number,
  graph: Map<string, ResolvedNode>,
  signal: AbortSignal | undefined,
  inUse: readonly InUseRoot[],
): Promise<KeepSetResult> {
  for (let round = 0; ; round++) {
    const result = keepSet(pkg, graph, rules, now, inUse);
    if (result.needs.length === 0 || round >= MAX_ROUNDS) return result;
    await mapLimit(result.needs, concurrency, async (key) => void graph.set(key, await resolve(pkg.repository, key)), signal);
  }
}

function done(result: KeepSetResult, gone: readonly string[]): PackagePlan {
  const { needs: _needs, unreadable: _unreadable, ...plan } = result;
  return { ...plan, gone: [...gone] };
}
