// Reads the world before anything is decided: every container version of the
// owner (all pages, cross-checked), each package's tags as /v2 lists them,
// and the manifest digest each version holds.
//
// Digests: an untagged version's name *is* its digest (Forgejo names a digest
// push after the digest), so it costs nothing. A tagged version needs one
// request either way, `/files` (REST) or HEAD by tag (/v2); HEAD is used:
// no body, and it is the very lookup a pull makes, so the digest is what
// clients get. A name that lies about its content (Forgejo does not check a
// digest push) is caught by the keep set, which freezes the package when a
// kept manifest is served but no listed version holds it.
import type { ContainerVersion, ForgejoClient } from "@regguard/forgejo-client";
import type { RegistryClient } from "@regguard/oci-client";
import { NotFoundError } from "@regguard/oci-client";
import { mapLimit } from "./limit.js";
import type { DigestState, InventoryVersion, PackageInventory } from "./model.js";
import { isDigestText, nameKind, norm } from "./names.js";

/** The listing is offset-paged; a push while paging makes it inconsistent, so try again a few times. */
export const LIST_ATTEMPTS = 3;

/** List every container version of `owner`, retrying a listing that moved while paging. */
export async function listVersions(
  api: Pick<ForgejoClient, "listContainerVersions">,
  owner: string,
  opts: { q?: string; signal?: AbortSignal } = {},
): Promise<ContainerVersion[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.listContainerVersions(owner, opts);
    } catch (e) {
      if ((e as { code?: string }).code !== "FORGEJO_TOTAL_COUNT_MISMATCH" || attempt >= LIST_ATTEMPTS) throw e;
    }
  }
}

/**
 * One package's versions as listed now: name (lower-cased) -> id. `q` is a substring match (with _
 * and % as wildcards), so only exact names are kept.
 */
export async function currentVersions(
  api: Pick<ForgejoClient, "listContainerVersions">,
  owner: string,
  name: string,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const rows = await listVersions(api, owner, { q: name, ...(signal ? { signal } : {}) });
  return new Map(rows.filter((r) => norm(r.name) === name).map((r) => [norm(r.version), r.id]));
}

/** Everything the keep set needs to know about the owner's packages. */
export async function takeInventory(
  api: Pick<ForgejoClient, "listContainerVersions">,
  registry: RegistryClient,
  owner: string,
  concurrency: number,
  signal?: AbortSignal,
): Promise<PackageInventory[]> {
  const rows = await listVersions(api, owner, signal ? { signal } : {});
  const byPackage = new Map<string, ContainerVersion[]>();
  for (const row of rows) {
    const name = norm(row.name);
    byPackage.set(name, [...(byPackage.get(name) ?? []), row]);
  }
  const names = [...byPackage.keys()].sort();
  return mapLimit(
    names,
    concurrency,
    async (name): Promise<PackageInventory> => {
      const repository = `${norm(owner)}/${name}`;
      // NAME_UNKNOWN means "no tags here"; the keep set then sees every listed tag missing.
      const registryTags = await registry.tags(repository).then(
        (tags) => ({ state: "ok" as const, tags }),
        (e: unknown) => (e instanceof NotFoundError ? { state: "ok" as const, tags: [] } : { state: "error" as const, message: messageOf(e) }),
      );
      const versions = await mapLimit(
        byPackage.get(name) ?? [],
        concurrency,
        async (row): Promise<InventoryVersion> => ({
          id: row.id,
          name: norm(row.version),
          createdAt: row.createdAt.getTime(),
          digest: await digestOf(registry, repository, norm(row.version)),
        }),
        signal,
      );
      return { name, repository, versions, registryTags };
    },
    signal,
  );
}

async function digestOf(registry: RegistryClient, repository: string, name: string): Promise<DigestState> {
  const kind = nameKind(name);
  if (kind.kind === "untagged") return { state: "known", digest: kind.digest };
  if (kind.kind === "invalid") return { state: "error", message: `${name} is not a valid digest` };
  try {
    const head = await registry.headManifest(repository, name);
    if (head.digest === undefined) return { state: "error", message: `HEAD ${repository}:${name} sent no Docker-Content-Digest` };
    if (!isDigestText(head.digest)) return { state: "error", message: `HEAD ${repository}:${name}: unsupported digest ${head.digest}` };
    return { state: "known", digest: head.digest };
  } catch (e) {
    if (e instanceof NotFoundError) return { state: "missing", message: messageOf(e) };
    return { state: "error", message: messageOf(e) };
  }
}

/** Error text for plans and logs; library errors already strip credentials from URLs. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
