// _catalog and tags/list with n/last pagination. Link targets are followed
// only on the registry's own origin. Forgejo quirks: catalog capped at 100
// per page, and tags/list sends Link even on the last page, so an empty page
// (not a missing Link) ends the listing.
import { NotFoundError, ProtocolError, UntrustedLinkError, safeUrl } from "./errors.js";
import { assertRepository } from "./ref.js";
import { expectStatus } from "./status.js";
import type { Transport } from "./transport.js";

/** Forgejo treats n > 100 as 100; asking for more only hides its paging. */
export const CATALOG_PAGE_SIZE = 100;
export const TAGS_PAGE_SIZE = 1000;
/** A listing that pages this often is looping, not big. */
const MAX_PAGES = 100_000;

/** Every repository name, page by page, optionally only those under a prefix. */
export async function* listRepositories(t: Transport, opts: { prefix?: string; pageSize?: number } = {}): AsyncGenerator<string> {
  const prefix = opts.prefix?.toLowerCase();
  const n = opts.pageSize ?? CATALOG_PAGE_SIZE;
  for await (const page of pages(t, `/v2/_catalog?n=${n}`, "registry:catalog:*", "repositories", "the catalog")) {
    for (const name of page) if (!prefix || name.toLowerCase().startsWith(prefix)) yield name;
  }
}

/** Every tag of a repository. */
export async function listTags(t: Transport, repository: string, opts: { pageSize?: number } = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const page of tagPages(t, repository, opts)) out.push(...page);
  return out;
}

/** The tags of a repository page by page, so a walk can start on the first page of 200,000. */
export async function* tagPages(t: Transport, repository: string, opts: { pageSize?: number } = {}): AsyncGenerator<string[]> {
  assertRepository(repository, t.readNames);
  const n = opts.pageSize ?? TAGS_PAGE_SIZE;
  const path = `/v2/${repository}/tags/list?n=${n}`;
  let any = false;
  try {
    for await (const page of pages(t, path, `repository:${repository}:pull`, "tags", `tags of ${repository}`)) {
      any = true;
      yield page;
    }
  } catch (e) {
    // registry:2 answers NAME_UNKNOWN for a repository that has no tags (only
    // untagged manifests, or a push that stopped after its blobs): no tags, not a missing image.
    if (e instanceof NotFoundError && e.registryCode === "NAME_UNKNOWN" && !any) return;
    throw e;
  }
}

/**
 * Pages of a listing, each entry once. A page whose next link was already followed, or whose
 * entries were all on earlier pages, is a loop: a catalog that served one repository on 100,000
 * pages once had the probe walk it 100,000 times (issue 12). Names repeated across pages are
 * dropped; a page that adds nothing new ends the listing with a ProtocolError.
 */
async function* pages(t: Transport, first: string, scope: string, key: "repositories" | "tags", what: string): AsyncGenerator<string[]> {
  let next: string | undefined = first;
  const followed = new Set<string>();
  const names = new Set<string>();
  for (let i = 0; next !== undefined; i++) {
    if (i >= MAX_PAGES || followed.has(next)) throw new ProtocolError(`${what}: pagination loops (page ${i + 1} repeats ${safeUrl(next)})`);
    followed.add(next);
    const res = expectStatus(await t.send({ method: "GET", path: next, scope, headers: { accept: "application/json" }, sameOrigin: true }), [200], what);
    const entries = parsePage(res.body, key, what, res.url);
    if (entries.length === 0) return;
    const fresh: string[] = [];
    for (const e of entries) {
      if (names.has(e)) continue;
      names.add(e);
      fresh.push(e);
    }
    if (fresh.length === 0) throw new ProtocolError(`${what}: pagination loops (page ${i + 1} at ${safeUrl(next)} lists only names already listed)`);
    yield fresh;
    next = nextLink(res.headers.link, res.url, t.base, what);
  }
}

function parsePage(body: Uint8Array, key: string, what: string, url: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw new ProtocolError(`${what}: the registry answered with something that is not JSON`, { url });
  }
  const list = (parsed as Record<string, unknown> | null)?.[key];
  if (list === null || list === undefined) return []; // registry:2 says "tags": null for a repository without tags
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) {
    throw new ProtocolError(`${what}: "${key}" is not a list of strings`, { url });
  }
  return list as string[];
}

/** The rel="next" target, or undefined; refuses other origins. */
export function nextLink(header: string | undefined, current: string, base: URL, what = "listing"): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m || !/rel\s*=\s*"?next"?/i.test(m[2] as string)) continue;
    const target = new URL(m[1] as string, current);
    if (target.origin !== base.origin) {
      throw new UntrustedLinkError(`${what}: the registry's next-page Link points to another origin (${target.origin}); refusing to follow it`, {
        url: current,
      });
    }
    return target.pathname + target.search;
  }
  return undefined;
}
