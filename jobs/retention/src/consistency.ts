// Reasons to distrust a package's inventory before planning anything in it.
// Each one freezes the package (nothing deleted): the plan is only as good
// as the picture it was drawn from.
import type { PackageInventory } from "./model.js";
import { nameKind, norm } from "./names.js";

/** Every problem with the package's inventory; empty when it can be planned. */
export function inventoryProblems(pkg: PackageInventory): string[] {
  const out: string[] = [];
  const ids = new Set<number>();
  const names = new Set<string>();
  for (const v of pkg.versions) {
    const name = norm(v.name);
    // The listing is offset-paged; a push while paging shifts rows, which shows as a repeat.
    if (ids.has(v.id)) out.push(`version id ${v.id} is listed twice (the package changed while it was listed)`);
    if (names.has(name)) out.push(`version ${name} is listed twice (the package changed while it was listed)`);
    ids.add(v.id);
    names.add(name);
    if (!Number.isFinite(v.createdAt)) out.push(`version ${name} has no usable created_at`);
    if (nameKind(name).kind === "invalid") out.push(`version ${name} is named like a digest but is not one; what it holds is unknown`);
    if (v.digest.state === "error") out.push(`cannot tell which manifest ${name} holds: ${v.digest.message}`);
  }
  out.push(...registryDisagreement(pkg, names));
  return out;
}

function registryDisagreement(pkg: PackageInventory, names: Set<string>): string[] {
  if (pkg.registryTags.state === "error") return [`cannot list the tags of ${pkg.repository} through /v2: ${pkg.registryTags.message}`];
  const listed = [...names].filter((n) => nameKind(n).kind !== "untagged" && nameKind(n).kind !== "invalid");
  const served = new Set(pkg.registryTags.tags.map(norm));
  const out: string[] = [];
  const absent = listed.filter((t) => !served.has(t));
  const extra = [...served].filter((t) => !names.has(t));
  if (absent.length > 0) {
    out.push(`the registry does not list ${absent.length} tag(s) the packages API lists (${preview(absent)}): is REGISTRY_URL this Forgejo?`);
  }
  if (extra.length > 0) out.push(`the registry lists ${extra.length} tag(s) the packages API did not (${preview(extra)}): pushed during the run`);
  return out;
}

const preview = (xs: string[]): string => (xs.length <= 3 ? xs.join(", ") : `${xs.slice(0, 3).join(", ")}, …`);
