// The heart of retention: which versions of one package may go. Pure: the
// inventory and the manifests resolved so far in, decisions out, plus the
// tags/digests it still needs resolved (the caller fetches them and asks
// again until nothing is missing).
//
// Invariant: a version is deleted only if no kept manifest references its
// digest, directly or through an index. The shell retention deleted the
// `sha256:` children of a kept multi-arch tag (kms-website:latest,
// docs/design.md, R1); Forgejo has no parent/child field, so the graph is
// read through /v2.
import { inventoryProblems } from "./consistency.js";
import { rootsOf, type KeepRules, type Root } from "./keep-rules.js";
import type { BrokenImage, Decision, DigestText, InUseRoot, InventoryVersion, ManifestGraph, PackageInventory, PackagePlan, Reason } from "./model.js";
import { nameKind, norm } from "./names.js";

export type { KeepRules } from "./keep-rules.js";

/** A package plan plus the graph keys (tags or digests) still to resolve. */
export interface KeepSetResult extends PackagePlan {
  needs: string[];
  /**
   * Kept roots (tags, or untagged versions kept for themselves) that answered 404. Each one
   * freezes the package: Forgejo answers 404 MANIFEST_UNKNOWN for a listed tag whose manifest
   * content is missing from storage while its rows stay (gitea#19586's workaround in
   * routers/api/packages/container/container.go), and then nothing says what the tag references;
   * its untagged children may be the only way back (re-pushing the index over them). The caller
   * re-lists the package: a root no longer listed was deleted during the run and is planned
   * again without it (resolve.ts).
   */
  unreadable: string[];
}

/** The graph key a version is resolved by: its tag, or its digest when untagged. */
export const graphKey = (v: InventoryVersion): string => norm(v.name);

/** Decide every version of one package. Call again with a larger graph while `needs` is non-empty. */
export function keepSet(pkg: PackageInventory, graph: ManifestGraph, rules: KeepRules, now: number, inUse: readonly InUseRoot[] = []): KeepSetResult {
  const walk = new Closure(graph);
  const kept = new Map<number, Reason>();
  const keep = (root: Root) => {
    kept.set(root.version.id, root.reason);
    const digest = heldDigest(root.version);
    if (digest) walk.holdsKept(digest, norm(root.version.name));
    walk.visitRoot(graphKey(root.version), norm(root.version.name));
  };
  for (const root of rootsOf(pkg.versions, rules, now, inUse)) keep(root);

  // References first, then cosign tags whose subject is now kept; a newly
  // kept signature (or referrers index) can reference more, so repeat.
  for (let changed = true; changed;) {
    changed = false;
    for (const v of pkg.versions) {
      if (kept.has(v.id)) continue;
      const digest = heldDigest(v);
      const by = digest ? walk.referencedBy.get(digest) : undefined;
      if (by !== undefined) {
        kept.set(v.id, { kind: "referenced", by });
        changed = true;
        continue;
      }
      const name = nameKind(v.name);
      const subjectBy = name.kind === "cosign" ? walk.keptHolder(name.subject) : undefined;
      if (subjectBy !== undefined) {
        keep({ version: v, reason: { kind: "follows", by: subjectBy } });
        changed = true;
      }
    }
  }

  const unreadable = walk.broken.filter((b) => b.root === b.target);
  const frozen = [
    ...inventoryProblems(pkg),
    ...walk.errors,
    ...unheld(pkg, walk),
    ...unreadable.map(
      (b) => `kept ${b.target} is listed but its manifest cannot be read (${b.message}); what it references is unknown, so nothing here is deleted`,
    ),
  ];
  const decisions = pkg.versions.map((v): Decision => {
    const reason: Reason = kept.get(v.id) ?? (frozen.length > 0 ? { kind: "frozen", why: frozen[0] as string } : { kind: "delete" });
    const digest = heldDigest(v);
    return { id: v.id, version: v.name, createdAt: v.createdAt, ...(digest ? { digest } : {}), action: reason.kind === "delete" ? "delete" : "keep", reason };
  });
  return {
    name: pkg.name,
    repository: pkg.repository,
    decisions,
    frozen,
    broken: walk.broken,
    gone: [],
    needs: [...walk.needs],
    unreadable: unreadable.map((b) => b.target),
  };
}

function heldDigest(v: InventoryVersion): DigestText | undefined {
  return v.digest.state === "known" ? v.digest.digest : undefined;
}

/**
 * A manifest served under a kept reference that no listed version holds: the
 * package changed under us (a re-push) or a version's name lies about its
 * content (Forgejo does not check that a digest push hashes to its digest).
 */
function unheld(pkg: PackageInventory, walk: Closure): string[] {
  const held = new Set(pkg.versions.map(heldDigest));
  return [...walk.served].filter((d) => !held.has(d)).map((d) => `kept manifest ${d} is served, but no listed version holds it (changed during the run?)`);
}

/**
 * The reference closure of the kept roots over the resolved graph. A root's
 * own digest is not "referenced": another version holding the same digest
 * (a second tag on one index) may go, since the root still serves it; what
 * the root points at (children, subject) must stay.
 */
class Closure {
  /** Digest a kept manifest points at -> the first root (tag or digest) that keeps it. */
  readonly referencedBy = new Map<DigestText, string>();
  /** Digests of manifests actually served. */
  readonly served = new Set<DigestText>();
  readonly needs = new Set<string>();
  readonly broken: BrokenImage[] = [];
  readonly errors: string[] = [];
  /** Digest held by a kept root -> that root. */
  private readonly rootHeld = new Map<DigestText, string>();
  private readonly visited = new Set<string>();

  constructor(private readonly graph: ManifestGraph) {}

  holdsKept(digest: DigestText, by: string): void {
    if (!this.rootHeld.has(digest)) this.rootHeld.set(digest, by);
  }

  /**
   * The root keeping a digest, whether it holds it or points at it (cosign subjects follow either).
   * A root holding it wins: those are all known before the first cosign tag is decided, while
   * `referencedBy` grows as cosign tags are kept, so preferring it made a signature's reason
   * depend on the order Forgejo lists versions in (fixtures-live.test.ts, fixture "cosign").
   */
  keptHolder(digest: DigestText): string | undefined {
    return this.rootHeld.get(digest) ?? this.referencedBy.get(digest);
  }

  visitRoot(key: string, by: string): void {
    const stack: Array<{ key: string; root: boolean }> = [{ key, root: true }];
    while (stack.length > 0) {
      const { key: k, root } = stack.pop() as { key: string; root: boolean };
      // Marked before the visited check: a grace root may later turn out to be someone's child.
      if (!root && !this.referencedBy.has(k as DigestText)) this.referencedBy.set(k as DigestText, by);
      if (this.visited.has(k)) continue;
      this.visited.add(k);
      const node = this.graph.get(k);
      if (!node) {
        this.needs.add(k);
      } else if (node.state === "missing") {
        this.broken.push({ root: by, target: k, message: node.message });
      } else if (node.state === "error") {
        this.errors.push(`cannot resolve ${k} (kept via ${by}): ${node.message}`);
      } else {
        this.served.add(node.digest);
        if (root) this.holdsKept(node.digest, by);
        stack.push(...node.refs.map((r) => ({ key: r, root: false })));
      }
    }
  }
}
