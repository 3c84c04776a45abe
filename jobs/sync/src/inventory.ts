// What the source has: every catalog page, every tag page, filtered by REPOSITORIES and TAGS, with
// target names planned (prefix, lower case, collisions refused). Reads only the source.
import { cosignTagsOf, planNames, type NamePair, type NamePlan } from "./names.js";
import type { SourceRegistry } from "./source.js";

/** One tag to work on; `repoTags` is the repository's whole tag list (cosign companions are found in it). */
export interface TagItem {
  pair: NamePair;
  tag: string;
  repoTags: readonly string[];
  selected: ReadonlySet<string>;
}

/** The source as this run sees it. */
export interface Inventory {
  names: NamePlan;
  items: TagItem[];
  repositories: number;
}

export interface InventoryOptions {
  prefix: string;
  sourcePrefix: string;
  repositories: RegExp | undefined;
  tags: RegExp | undefined;
}

export async function readInventory(source: SourceRegistry, opts: InventoryOptions): Promise<Inventory> {
  const all: string[] = [];
  const listing = opts.sourcePrefix ? source.repositories({ prefix: opts.sourcePrefix }) : source.repositories();
  for await (const repo of listing) {
    if (!repo.startsWith(opts.sourcePrefix)) continue;
    if (!opts.repositories || opts.repositories.test(repo)) all.push(repo);
  }
  const names = planNames(all, opts.prefix, opts.sourcePrefix);
  const items: TagItem[] = [];
  for (const pair of names.pairs) {
    const tags = await source.tags(pair.source);
    const chosen = selectTags(tags, opts.tags);
    const selected = new Set(chosen);
    items.push(...chosen.map((tag) => ({ pair, tag, repoTags: tags, selected })));
  }
  return { names, items, repositories: all.length };
}

/**
 * The tags matching TAGS (all when unset). The cosign tags of a selected tag's digest are not
 * known until that digest is: the tag's worker adds them (companionTags) once it has it.
 */
export function selectTags(tags: readonly string[], pattern: RegExp | undefined): string[] {
  if (!pattern) return [...tags];
  return tags.filter((t) => pattern.test(t));
}

/** Cosign tags in `all` that belong to `digest`, excluding ones already selected. */
export function companionTags(digest: string, all: readonly string[], selected: ReadonlySet<string>): string[] {
  return cosignTagsOf(digest, all).filter((t) => !selected.has(t));
}
