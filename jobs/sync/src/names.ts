// Source repository names -> target names: TARGET_PREFIX prepended and lower-cased, since Forgejo
// stores package names in lower case (and registry:2 accepts none in upper case either, while
// older pushes through other registries may carry them). Two source names that land on the same
// target name would overwrite each other's tags: both are refused, nothing copied for either.

/** A source repository and where it goes. */
export interface NamePair {
  source: string;
  target: string;
}

/** The plan for names: pairs to work on, and collisions refused with the reason. */
export interface NamePlan {
  pairs: NamePair[];
  collisions: Array<{ sources: string[]; target: string }>;
}

/** `sourcePrefix` (which the source name starts with) is replaced by `prefix`; the rest lower-cased. */
export function targetName(source: string, prefix: string, sourcePrefix = ""): string {
  return `${prefix}${source.slice(sourcePrefix.length).toLowerCase()}`;
}

/** Map every source name; pure. */
export function planNames(sources: readonly string[], prefix: string, sourcePrefix = ""): NamePlan {
  const byTarget = new Map<string, string[]>();
  for (const s of sources) {
    const t = targetName(s, prefix, sourcePrefix);
    const list = byTarget.get(t) ?? [];
    list.push(s);
    byTarget.set(t, list);
  }
  const pairs: NamePair[] = [];
  const collisions: NamePlan["collisions"] = [];
  for (const [target, list] of byTarget) {
    if (list.length === 1) pairs.push({ source: list[0] as string, target });
    else collisions.push({ sources: list, target });
  }
  return { pairs, collisions };
}

/** cosign's tags for a digest: sha256-<hex>.sig, .att, .sbom (sigstore/cosign, pkg/oci/remote). */
export function cosignTagsOf(digest: string, tags: readonly string[]): string[] {
  const stem = digest.replace(":", "-");
  return tags.filter((t) => t === `${stem}.sig` || t === `${stem}.att` || t === `${stem}.sbom`);
}
