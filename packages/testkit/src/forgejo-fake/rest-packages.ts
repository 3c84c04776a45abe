// /api/v1/packages/{owner}[/{type}/{name}/{version}[/files]] with Forgejo's middleware order:
// tokenRequiresScopes -> UserAssignmentAPI -> PackageAssignmentAPI -> reqPackageAccess(read) ->
// route (reqToken, reqPackageAccess(write)) (routers/api/v1/api.go, routers/api/v1/packages/package.go,
// services/context/package.go).
import { Access, accessMode, hasScope, restCaller, type Caller } from "./auth.js";
import { apiError, apiNotFound, sendEmpty, sendJson, type Ctx } from "./http.js";
import { searchVersions } from "./query.js";
import { fileJson, packageJson } from "./rest-json.js";

/** utils.GetListOptions + ToCorrectPageSize: limit <= 0 -> 30, > 50 -> 50 (setting.API.MaxResponseItems); page <= 0 -> 1. */
export const DEFAULT_PAGE_SIZE = 30;
export const MAX_PAGE_SIZE = 50;

function intParam(ctx: Ctx, name: string): number {
  const n = Number.parseInt(ctx.url.searchParams.get(name) ?? "", 10);
  return Number.isFinite(n) ? n : 0;
}

/** genAPILinks (services/context/api.go): next/last/first/prev against ROOT_URL, query re-encoded sorted. */
function linkHeader(ctx: Ctx, total: number, pageSize: number, rawPage: number): string {
  const totalPages = Math.ceil(total / pageSize);
  if (totalPages === 0) return "";
  const cur = Math.min(Math.max(rawPage, 1), totalPages);
  const at = (page: number, rel: string) => {
    const q = new URLSearchParams(ctx.url.searchParams);
    q.set("page", String(page));
    q.sort();
    return `<${ctx.rootUrl}${ctx.url.pathname.slice(1)}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (cur < totalPages) links.push(at(cur + 1, "next"));
  if (cur !== totalPages) links.push(at(totalPages, "last"));
  if (cur !== 1) links.push(at(1, "first"));
  if (cur > 1) links.push(at(cur - 1, "prev"));
  return links.join(",");
}

/** Handles a path already known to start with /api/v1/packages/. */
export function handlePackages(ctx: Ctx, segments: string[]): void {
  const caller: Caller = restCaller(ctx.store, ctx.req.headers.authorization);
  if (caller.kind === "invalid") return apiError(ctx, 401, "invalid username, password or token");
  // tokenRequiresScopes runs on the whole group, before the owner or the version is looked up: a
  // token without write:package gets 403 on a DELETE even of a version that does not exist, while
  // with the scope an unknown version is 404 whoever asks (PackageAssignmentAPI answers before
  // reqPackageAccess looks at the user). Retention's preflight probe relies on exactly this order.
  const writing = ctx.method !== "GET" && ctx.method !== "HEAD";
  const needed = writing ? "write:package" : "read:package";
  if (caller.kind === "user" && !hasScope(caller.scopes, needed)) {
    return apiError(ctx, 403, `token does not have at least one of required scope(s): [${needed}]`);
  }
  const [ownerName = "", type, name, version, tail, ...rest] = segments;
  const owner = ctx.store.ownerByName(ownerName);
  if (!owner) return apiNotFound(ctx, "GetUserByName", `user redirect does not exist [name: ${ownerName.toLowerCase()}]`);
  const mode = accessMode(owner, caller);
  const isAdmin = caller.kind === "user" && caller.user.isAdmin;

  if (type === undefined || (type === "" && name === undefined)) {
    if (ctx.method !== "GET") return apiNotFound(ctx);
    if (mode < Access.Read && !isAdmin) return apiError(ctx, 403, "user should have specific permission or be a site admin");
    const pageSize = intParam(ctx, "limit") <= 0 ? DEFAULT_PAGE_SIZE : Math.min(intParam(ctx, "limit"), MAX_PAGE_SIZE);
    const page = Math.max(intParam(ctx, "page"), 1);
    const rows = searchVersions(ctx.store, owner.id, { type: ctx.url.searchParams.get("type")?.trim() ?? "", q: ctx.url.searchParams.get("q")?.trim() ?? "" });
    const body = rows.slice((page - 1) * pageSize, page * pageSize).map((r) => packageJson(ctx.store, r.pkg, r.v, ctx.rootUrl));
    const link = linkHeader(ctx, rows.length, pageSize, intParam(ctx, "page"));
    return sendJson(ctx.res, 200, body, {
      "X-Total-Count": rows.length,
      ...(link ? { Link: link } : {}),
      "Access-Control-Expose-Headers": "Link, X-Total-Count",
    });
  }
  if (name === undefined || version === undefined || rest.length > 0 || (tail !== undefined && tail !== "files")) return apiNotFound(ctx);
  const row = searchVersions(ctx.store, owner.id, { type, name }).find((r) => r.v.version === version.toLowerCase());
  if (!row) return apiNotFound(ctx, "GetVersionByNameAndVersion", "package does not exist");
  if (mode < Access.Read && !isAdmin) return apiError(ctx, 403, "user should have specific permission or be a site admin");

  if (tail === "files") {
    if (ctx.method !== "GET") return apiNotFound(ctx);
    return sendJson(
      ctx.res,
      200,
      row.v.files.map((f) => fileJson(ctx.store, f)),
    );
  }
  if (ctx.method === "GET") return sendJson(ctx.res, 200, packageJson(ctx.store, row.pkg, row.v, ctx.rootUrl));
  if (ctx.method !== "DELETE") return apiNotFound(ctx);
  if (caller.kind !== "user") return apiError(ctx, 401, "token is required");
  if (mode < Access.Write && !isAdmin) return apiError(ctx, 403, "user should have specific permission or be a site admin");
  ctx.store.deleteVersion(row.v);
  sendEmpty(ctx.res, 204);
}
