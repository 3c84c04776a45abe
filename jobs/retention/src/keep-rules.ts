// Rules 1, 2 and the grace half of rule 4 of the keep set: which versions
// are kept for what they are, before any reference is followed. Pure.
import type { InUseRoot, InventoryVersion, Reason } from "./model.js";
import { nameKind, norm } from "./names.js";

/** The operator's retention rules. */
export interface KeepRules {
  /** Newest ordinary tags kept per package. */
  keepLastN: number;
  /** Tags always kept (matched case-insensitively). */
  keepTags: RegExp;
  /** Untagged versions younger than this are never deleted (an in-flight push). */
  untaggedGraceMs: number;
}

/** A version kept for what it is, whose references must be kept too. */
export interface Root {
  version: InventoryVersion;
  reason: Reason;
}

/**
 * Newest first; created_at has one-second resolution and a multi-arch push
 * ties, so the higher id (inserted later) wins, then the name: never the
 * listing order, which differs between Forgejo v11 and v12.
 */
export function newestFirst(a: InventoryVersion, b: InventoryVersion): number {
  return b.createdAt - a.createdAt || b.id - a.id || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** A stateless, case-insensitive test (a /g regex would remember lastIndex between calls). */
export function tagMatcher(re: RegExp): (name: string) => boolean {
  const flags = re.flags.replace(/[gy]/g, "");
  const safe = new RegExp(re.source, flags.includes("i") ? flags : `${flags}i`);
  return (name) => safe.test(name);
}

/**
 * Roots in a deterministic order: `latest`, pattern tags, the newest
 * KEEP_LAST_N ordinary tags, versions a workload uses (`inUse`: by tag, by the
 * digest it holds, or by its own `sha256:` name; they never take a newest slot),
 * then untagged versions inside the grace period.
 * Untagged versions never take a newest slot (docs/design.md, R2), and
 * neither do `latest`, pattern tags or cosign tags (those follow their subject).
 */
export function rootsOf(versions: readonly InventoryVersion[], rules: KeepRules, now: number, inUse: readonly InUseRoot[] = []): Root[] {
  const matches = tagMatcher(rules.keepTags);
  const sorted = [...versions].sort(newestFirst);
  const latest: Root[] = [];
  const pattern: Root[] = [];
  const newest: Root[] = [];
  const grace: Root[] = [];
  for (const version of sorted) {
    const kind = nameKind(version.name).kind;
    if (kind === "untagged" || kind === "invalid") {
      if (now - version.createdAt < rules.untaggedGraceMs) grace.push({ version, reason: { kind: "grace" } });
    } else if (norm(version.name) === "latest") {
      latest.push({ version, reason: { kind: "latest" } });
    } else if (matches(norm(version.name))) {
      pattern.push({ version, reason: { kind: "pattern" } });
    } else if (kind === "tag" && newest.length < rules.keepLastN) {
      newest.push({ version, reason: { kind: "newest", rank: newest.length + 1 } });
    }
  }
  const already = new Set([...latest, ...pattern, ...newest].map((r) => r.version.id));
  const used: Root[] = [];
  for (const version of sorted) {
    if (already.has(version.id)) continue;
    const by = usedBy(version, inUse);
    if (by !== undefined) used.push({ version, reason: { kind: "in-use", by } });
  }
  const usedIds = new Set(used.map((r) => r.version.id));
  return [...latest, ...pattern, ...newest, ...used, ...grace.filter((r) => !usedIds.has(r.version.id))];
}

/** The first workload naming this version by tag, by its `sha256:` name, or by the digest it holds. */
function usedBy(version: InventoryVersion, inUse: readonly InUseRoot[]): string | undefined {
  const name = norm(version.name);
  const held = version.digest.state === "known" ? version.digest.digest : undefined;
  for (const ref of inUse) {
    if (ref.tag !== undefined && norm(ref.tag) === name) return ref.by;
    if (ref.digest !== undefined && (ref.digest === name || ref.digest === held)) return ref.by;
  }
  return undefined;
}
