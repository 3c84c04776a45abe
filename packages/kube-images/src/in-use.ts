// The workloads' images that are on one registry, by repository there: what retention must keep and
// what the cutover report checks. Pure.
import type { Digest } from "@regguard/oci-client";
import { aliasedRepository, type RegistryAlias } from "./aliases.js";
import type { ImageUse } from "./extract.js";

/** A tag and/or digest of one repository that a workload names, and where. */
export interface InUseRef {
  readonly tag?: string;
  readonly digest?: Digest;
  /** `namespace/Kind/name`. */
  readonly by: string;
  readonly field: string;
  /** The image as the object has it. */
  readonly text: string;
}

/** Repository (under the aliases) -> what is in use there; images on other registries are left out. */
export function inUseByRepository(uses: readonly ImageUse[], aliases: readonly RegistryAlias[]): Map<string, InUseRef[]> {
  const out = new Map<string, InUseRef[]>();
  for (const use of uses) {
    const repository = aliasedRepository(use.image, aliases);
    if (repository === undefined) continue;
    const ref: InUseRef = {
      ...(use.image.tag !== undefined ? { tag: use.image.tag } : {}),
      ...(use.image.digest !== undefined ? { digest: use.image.digest } : {}),
      by: use.by,
      field: use.field,
      text: use.text,
    };
    const list = out.get(repository);
    if (list) list.push(ref);
    else out.set(repository, [ref]);
  }
  return out;
}
