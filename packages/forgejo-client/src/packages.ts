// The packages REST API (routers/api/v1/packages/package.go): list container versions across
// every page, list a version's files, delete a version.
import { randomBytes } from "node:crypto";
import { ForgejoNotFoundError, ForgejoProtocolError, ForgejoTotalCountMismatchError } from "./errors.js";
import { array, containerVersion, object, totalCount, versionFile } from "./parse.js";
import { segment, versionPath } from "./paths.js";
import type { Transport } from "./transport.js";
import type { ContainerVersion, DeleteOutcome, DeleteScopeProbe, VersionFile } from "./types.js";

/** Forgejo caps `limit` at [api] MAX_RESPONSE_ITEMS (50 by default); asking for more is silently cut. */
export const PAGE_LIMIT = 50;

/**
 * Every container version of `owner`: pages 1, 2, ... until an empty page (no page cap), then the
 * count must equal X-Total-Count, which must not change between pages. A mismatch means the
 * listing moved under us (a push or delete during paging) and the caller must not plan on it.
 */
export async function listContainerVersions(t: Transport, owner: string, opts: { q?: string; signal?: AbortSignal } = {}): Promise<ContainerVersion[]> {
  const path = `/api/v1/packages/${segment(owner)}`;
  const out: ContainerVersion[] = [];
  const seen = new Set<number>();
  let expected: number | undefined;
  // The last page's details, for the error after the loop (the loop runs at least once).
  let last: { status: number; method: string; url: string } | undefined;
  for (let page = 1; ; page++) {
    const a = await t.send("GET", path, { query: { type: "container", limit: PAGE_LIMIT, page, q: opts.q }, ok: [200], signal: opts.signal });
    const total = totalCount(a);
    const details = { status: a.status, method: a.method, url: a.url };
    last = details;
    if (expected !== undefined && total !== expected) {
      throw new ForgejoTotalCountMismatchError(`${owner}: X-Total-Count changed from ${expected} to ${total} while paging`, expected, out.length, details);
    }
    expected = total;
    const rows = array(a);
    if (rows.length === 0) break;
    if (rows.length > PAGE_LIMIT) throw new ForgejoProtocolError(`${a.url}: ${rows.length} rows for limit ${PAGE_LIMIT}`, details);
    for (const row of rows) {
      const v = containerVersion(a, row);
      if (seen.has(v.id)) throw new ForgejoTotalCountMismatchError(`${owner}: version ${v.id} seen on two pages`, expected, out.length, details);
      seen.add(v.id);
      out.push(v);
    }
    if (out.length > expected) break; // the check below reports it; no endless paging
  }
  if (out.length !== expected) {
    throw new ForgejoTotalCountMismatchError(`${owner}: pages held ${out.length} versions, X-Total-Count says ${expected}`, expected ?? 0, out.length, last);
  }
  return out;
}

/**
 * One version as it is now (GET .../{version}: routers/api/v1/packages/package.go GetPackage), or
 * undefined when it does not exist. A re-push deletes the row and inserts a new one, so the id
 * tells whether this is still the version someone planned on.
 */
export async function getVersion(t: Transport, owner: string, name: string, version: string, signal?: AbortSignal): Promise<ContainerVersion | undefined> {
  const a = await t.send("GET", versionPath(owner, name, version), { ok: [200, 404], signal });
  return a.status === 404 ? undefined : containerVersion(a, object(a));
}

/** The files of one version (config, layers, manifest.json). */
export async function listVersionFiles(t: Transport, owner: string, name: string, version: string, signal?: AbortSignal): Promise<VersionFile[]> {
  const a = await t.send("GET", `${versionPath(owner, name, version)}/files`, { ok: [200], signal });
  return array(a).map((row) => versionFile(a, row));
}

/** `sha256:<hex>` of a version's manifest, from its manifest.json file. */
export async function manifestDigest(t: Transport, owner: string, name: string, version: string, signal?: AbortSignal): Promise<string> {
  const files = await listVersionFiles(t, owner, name, version, signal);
  const manifest = files.find((f) => f.name === "manifest.json");
  if (!manifest) throw new ForgejoNotFoundError(`${owner}/${name}:${version} has no manifest.json file`);
  if (!/^[a-f0-9]{64}$/.test(manifest.sha256)) throw new ForgejoProtocolError(`${owner}/${name}:${version}: manifest.json sha256 is malformed`);
  return `sha256:${manifest.sha256}`;
}

/** DELETE one version: 204 -> "deleted", 404 -> "already-gone"; 401/403 and the rest throw. */
export async function deleteVersion(t: Transport, owner: string, name: string, version: string, signal?: AbortSignal): Promise<DeleteOutcome> {
  const a = await t.send("DELETE", versionPath(owner, name, version), { ok: [204, 404], signal });
  return a.status === 204 ? "deleted" : "already-gone";
}

/** Package name prefix of the delete-scope probe; 128 random bits follow in lower-case hex. */
export const DELETE_PROBE_PREFIX = "regguard-preflight-";

/**
 * Whether the token carries write:package, asked without deleting anything: DELETE a version of a
 * package that cannot exist. Forgejo checks the token's scope for the whole packages route group
 * before it looks up the owner or the version (routers/api/v1/api.go: tokenRequiresScopes ahead of
 * UserAssignmentAPI and PackageAssignmentAPI), so the answer is 403 without the scope and 404 with
 * it. The name is lower-case (Forgejo lower-cases container names, so the lookup sees exactly this
 * name) with a 128-bit random suffix: no push has created it, so the probe can never delete one.
 * It cannot tell whether the token's *user* may delete: the 404 comes before that is checked.
 * 401 and anything else throw (5xx after retries).
 */
export async function probeDeleteScope(t: Transport, owner: string, signal?: AbortSignal): Promise<DeleteScopeProbe> {
  const name = `${DELETE_PROBE_PREFIX}${randomBytes(16).toString("hex")}`;
  const a = await t.send("DELETE", versionPath(owner, name, "probe"), { ok: [403, 404], signal });
  const serverMessage = a.status === 403 ? t.serverMessage(a) : undefined;
  return { hasWriteScope: a.status === 404, status: a.status as 403 | 404, name, ...(serverMessage ? { serverMessage } : {}) };
}
