// Which registry a workload's image is on, in terms of a repository there. The cluster names one
// registry several ways (its public name, its in-cluster Service name), and during the bake an image
// still pulled from registry:2 as `registry.viktorbarzin.me/X` is `viktor/X` on Forgejo once the sync
// job copied it (docs/runbooks/sync.md). So an alias maps a name prefix to a repository prefix:
//   forgejo.viktorbarzin.me=           forgejo.viktorbarzin.me/viktor/app  -> viktor/app
//   registry.viktorbarzin.me=viktor/   registry.viktorbarzin.me/app        -> viktor/app
import type { ImageReference } from "./reference.js";
import { RegguardError } from "@regguard/edge";

/** `from` is `host[:port][/path]` (lower case, no trailing slash); `to` is empty or ends with `/`. */
export interface RegistryAlias {
  readonly from: string;
  readonly to: string;
}

/** A list that does not read as aliases. */
export class InvalidAliasError extends RegguardError<"KUBE_INVALID_ALIAS"> {
  constructor(message: string) {
    super("KUBE_INVALID_ALIAS", message);
    this.name = "InvalidAliasError";
  }
}

const FROM = /^[a-z0-9.-]+(?::\d{1,5})?(?:\/[a-z0-9._-]+)*$/;
const TO = /^(?:[a-z0-9._-]+\/)*$/;

/** Parses `from=to,from=to` (spaces allowed around the commas); throws InvalidAliasError. */
export function parseAliases(text: string): RegistryAlias[] {
  const out: RegistryAlias[] = [];
  for (const item of text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")) {
    const eq = item.indexOf("=");
    if (eq === -1)
      throw new InvalidAliasError(`alias ${JSON.stringify(item)} must be name=prefix (e.g. registry.example=viktor/, or forgejo.example= for none)`);
    const from = item.slice(0, eq).trim().toLowerCase().replace(/\/+$/, "");
    let to = item
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (to !== "" && !to.endsWith("/")) to = `${to}/`;
    if (!FROM.test(from)) throw new InvalidAliasError(`alias ${JSON.stringify(item)}: ${JSON.stringify(from)} is not host[:port][/path]`);
    if (!TO.test(to)) throw new InvalidAliasError(`alias ${JSON.stringify(item)}: ${JSON.stringify(to)} is not a repository prefix`);
    if (out.some((a) => a.from === from)) throw new InvalidAliasError(`alias ${JSON.stringify(from)} is given twice`);
    out.push({ from, to });
  }
  return out;
}

/** The repository an image is on under the longest matching alias, or undefined when none matches. */
export function aliasedRepository(ref: Pick<ImageReference, "registry" | "repository">, aliases: readonly RegistryAlias[]): string | undefined {
  const full = `${ref.registry}/${ref.repository}`;
  let best: RegistryAlias | undefined;
  for (const a of aliases) {
    if (full.startsWith(`${a.from}/`) && (best === undefined || a.from.length > best.from.length)) best = a;
  }
  return best ? `${best.to}${full.slice(best.from.length + 1)}` : undefined;
}
