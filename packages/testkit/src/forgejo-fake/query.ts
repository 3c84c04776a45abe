// SearchVersions as the REST list uses it (models/packages/package_version.go): non-internal
// versions of one owner, `q` as LIKE on the lower-cased package name, ordered created DESC, id ASC
// (v11; v12 switched the tie-breaker to id DESC).
import type { FakeStore, Package, Version } from "./store.js";

/** SQL LIKE '%q%' where `%` and `_` in q stay wildcards (xorm builder.Like does not escape them). */
function likeMatcher(q: string): (s: string) => boolean {
  const body = q
    .toLowerCase()
    .split("")
    .map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const re = new RegExp(body, "s");
  return (s) => re.test(s);
}

export interface VersionRow {
  pkg: Package;
  v: Version;
}

export function searchVersions(store: FakeStore, ownerId: number, opts: { type?: string; q?: string; name?: string }): VersionRow[] {
  if (opts.type && opts.type !== "all" && opts.type !== "container") return [];
  const match = opts.q ? likeMatcher(opts.q) : () => true;
  const rows: VersionRow[] = [];
  for (const pkg of store.packages) {
    if (pkg.ownerId !== ownerId || !match(pkg.lowerName)) continue;
    if (opts.name !== undefined && pkg.lowerName !== opts.name.toLowerCase()) continue;
    for (const v of store.versionsOf(pkg.id)) rows.push({ pkg, v });
  }
  return rows.sort((a, b) => b.v.createdUnix - a.v.createdUnix || a.v.id - b.v.id);
}

/** The digest of a version: the `container.digest` property of its manifest.json file. */
export function manifestDigest(v: Version): string {
  return v.files.find((f) => f.name === "manifest.json")?.digest ?? "";
}
