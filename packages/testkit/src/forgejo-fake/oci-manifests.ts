// HEAD/GET/DELETE .../manifests/<reference>, tags/list and _catalog
// (routers/api/packages/container/container.go: HeadManifest, GetManifest, DeleteManifest, GetTagList,
// GetRepositoryList; models/packages/container/search.go: GetImageTags, GetRepositories, GetManifestVersions).
import { canSee } from "./auth.js";
import { OCI_HEADERS, ociError, sendBytes, sendEmpty, sendJson, type Ctx } from "./http.js";
import { isDigest, isTag, type OciCtx } from "./oci-context.js";
import type { PkgFile, Version } from "./store.js";
import type { Caller } from "./auth.js";

/** The manifest files a reference resolves to in this image, oldest file first. */
function resolve(ctx: OciCtx, reference: string, liveOnly: boolean): Array<{ v: Version; f: PkgFile }> | undefined {
  const pkg = ctx.store.packageByName(ctx.owner.id, ctx.image);
  if (!pkg) return [];
  const byDigest = isDigest(reference);
  if (!byDigest && !isTag(reference)) return undefined;
  const tag = reference.toLowerCase();
  return ctx.store.imageFiles(
    pkg,
    (f, v) => f.name === "manifest.json" && (byDigest ? f.digest === reference : v.version === tag) && !(liveOnly && v.isInternal),
  );
}

/** HEAD/GET: `Accept` is never looked at; the Content-Type is the media type stored at push time. */
export function getManifest(ctx: OciCtx, reference: string): void {
  const hit = resolve(ctx, reference, false)?.[0];
  if (!hit) return ociError(ctx, 404, "MANIFEST_UNKNOWN", "manifest unknown");
  const bytes = ctx.store.blobs.get(hit.f.digest.slice(hit.f.digest.indexOf(":") + 1));
  // Rows without stored content (workaroundGetContainerBlob, gitea#19586): the tag stays listed,
  // HEAD and GET answer MANIFEST_UNKNOWN.
  if (!bytes) return ociError(ctx, 404, "MANIFEST_UNKNOWN", "manifest unknown");
  sendBytes(ctx.res, 200, bytes, {
    ...OCI_HEADERS,
    "Content-Type": hit.f.mediaType,
    "Docker-Content-Digest": hit.f.digest,
    ETag: `"${hit.f.digest}"`,
  });
}

/** DELETE by tag removes that version; by digest removes every version holding the digest. */
export function deleteManifest(ctx: OciCtx, reference: string): void {
  const hits = resolve(ctx, reference, true) ?? [];
  if (hits.length === 0) return ociError(ctx, 404, "MANIFEST_UNKNOWN", "manifest unknown");
  for (const { v } of hits) ctx.store.deleteVersion(v);
  sendEmpty(ctx.res, 202, { ...OCI_HEADERS, "Content-Length": 0 });
}

/** Tagged versions ascending; the quirk: `Link` on every non-empty page, even the last. */
export function tagList(ctx: OciCtx): void {
  const pkg = ctx.store.packageByName(ctx.owner.id, ctx.image);
  if (!pkg) return ociError(ctx, 404, "NAME_UNKNOWN", "repository name not known to registry");
  const q = ctx.url.searchParams;
  const nRaw = q.get("n")?.trim() ?? "";
  const n = nRaw === "" ? -1 : Number.parseInt(nRaw, 10) || 0;
  const last = (q.get("last")?.trim() ?? "").toLowerCase();
  let tags = ctx.store
    .versionsOf(pkg.id)
    .filter((v) => v.isTagged && (last === "" || v.version > last))
    .map((v) => v.version)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (n === 0) tags = [];
  else if (n > 0) tags = tags.slice(0, n);
  const headers: Record<string, string> = { ...OCI_HEADERS };
  if (tags.length > 0) {
    const v = new URLSearchParams();
    v.set("last", tags[tags.length - 1]!);
    if (n > 0) v.set("n", String(n));
    headers.Link = `</v2/${ctx.owner.lowerName}/${ctx.image}/tags/list?${v.toString()}>; rel="next"`;
  }
  sendJson(ctx.res, 200, { name: `${ctx.owner.lowerName}/${ctx.image}`, tags }, { ...headers, "Content-Type": "application/json" });
}

/** n <= 0 or > 100 means 100; `Link` only when exactly n came back. Visible owners only. */
export function catalog(ctx: Ctx, caller: Caller): void {
  const q = ctx.url.searchParams;
  let n = Number.parseInt(q.get("n") ?? "", 10) || 0;
  if (n <= 0 || n > 100) n = 100;
  const last = (q.get("last")?.trim() ?? "").toLowerCase();
  const repos = ctx.store.packages
    .filter((p) => ctx.store.versionsOf(p.id).length > 0)
    .filter((p) => {
      const owner = ctx.store.ownerById(p.ownerId);
      return owner !== undefined && canSee(owner, caller) && (last === "" || p.repository > last);
    })
    .map((p) => p.repository)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, n);
  const headers: Record<string, string> = { ...OCI_HEADERS, "Content-Type": "application/json" };
  if (repos.length === n) headers.Link = `</v2/_catalog?last=${encodeURIComponent(repos[n - 1]!)}&n=${n}>; rel="next"`;
  sendJson(ctx.res, 200, { repositories: repos }, headers);
}
