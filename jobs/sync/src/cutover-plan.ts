// cutover, step 1 (pure): the cluster's workload images -> the images to check, each with the
// registry it is pulled from today and its repository on each side. An image pulled from registry:2
// as `registry.viktorbarzin.me:5050/X` is `TARGET_PREFIX + X` on Forgejo (what copy makes of it); an
// image already pulled from Forgejo is checked where it is. Images of other registries are not ours.
import { aliasedRepository, type ImageUse, type RegistryAlias } from "@regguard/kube-images";
import type { Digest } from "@regguard/oci-client";

/** Which registry a workload pulls an image from today. */
export type PullsFrom = "target" | "source";

/** One image to check: unique by side, repository, tag and digest; `by` lists every workload naming it. */
export interface CutoverImage {
  pullsFrom: PullsFrom;
  /** On the source (registry:2); undefined when pulled from the target. */
  sourceRepository: string | undefined;
  /** On the target (Forgejo). */
  targetRepository: string;
  tag: string | undefined;
  /** The digest the workload names or, for a pod, the runtime pulled (status imageID). */
  digest: Digest | undefined;
  /** The image text as the first workload has it. */
  text: string;
  by: string[];
}

export interface CutoverNames {
  /** Names by which workloads pull from the source, e.g. registry.viktorbarzin.me:5050. */
  source: readonly string[];
  /** Names by which workloads pull from the target, e.g. forgejo.viktorbarzin.me. */
  target: readonly string[];
  /** SOURCE_PREFIX (removed) and TARGET_PREFIX (prepended), as copy maps names. */
  sourcePrefix: string;
  targetPrefix: string;
}

/**
 * A pod names `app:latest` in its spec and `app:latest@sha256:...` in its status: the digest is what
 * runs, so within one object a tag named with a digest drops the same tag named without.
 */
export function cutoverImages(uses: readonly ImageUse[], names: CutoverNames): CutoverImage[] {
  const asAliases = (list: readonly string[]): RegistryAlias[] => list.map((from) => ({ from: from.toLowerCase().replace(/\/+$/, ""), to: "" }));
  const source = asAliases(names.source);
  const target = asAliases(names.target);
  const candidates: CutoverImage[] = [];
  for (const use of uses) {
    const onTarget = aliasedRepository(use.image, target);
    const onSource = onTarget === undefined ? aliasedRepository(use.image, source) : undefined;
    if (onTarget === undefined && (onSource === undefined || !onSource.startsWith(names.sourcePrefix))) continue;
    const targetRepository = onTarget ?? `${names.targetPrefix}${onSource!.slice(names.sourcePrefix.length)}`.toLowerCase();
    candidates.push({
      pullsFrom: onTarget !== undefined ? "target" : "source",
      sourceRepository: onSource,
      targetRepository,
      tag: use.image.tag,
      digest: use.image.digest,
      text: use.text,
      by: [use.by],
    });
  }
  const withDigest = new Set(candidates.filter((c) => c.digest !== undefined).map((c) => `${c.by[0]} ${c.pullsFrom} ${c.targetRepository} ${c.tag ?? ""}`));
  const out = new Map<string, CutoverImage>();
  for (const c of candidates) {
    if (c.digest === undefined && withDigest.has(`${c.by[0]} ${c.pullsFrom} ${c.targetRepository} ${c.tag ?? ""}`)) continue;
    const key = `${c.pullsFrom} ${c.targetRepository} ${c.tag ?? ""} ${c.digest ?? ""}`;
    const seen = out.get(key);
    if (seen) {
      if (!seen.by.includes(c.by[0]!)) seen.by.push(c.by[0]!);
    } else {
      out.set(key, c);
    }
  }
  return [...out.values()];
}
