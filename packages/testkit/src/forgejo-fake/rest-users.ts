// /api/v1/user, /users/{name}, /orgs/{org}, /orgs/{org}/members/{user} and public_members
// (routers/api/v1/api.go; routers/api/v1/user/user.go; routers/api/v1/org/{org,member}.go).
import { canSee, hasScope, restCaller } from "./auth.js";
import { apiError, apiNotFound, sendEmpty, sendJson, type Ctx } from "./http.js";
import { orgJson, userJson } from "./rest-json.js";
import type { FakeScope } from "./types.js";

/** Returns false (and answers) when the token lacks the category's read/write scope. */
function scoped(ctx: Ctx, scopes: FakeScope[] | undefined, category: "user" | "organization"): boolean {
  const needed = `${ctx.method === "GET" || ctx.method === "HEAD" ? "read" : "write"}:${category}` as FakeScope;
  if (hasScope(scopes, needed)) return true;
  apiError(ctx, 403, `token does not have at least one of required scope(s): [${needed}]`);
  return false;
}

/** Handles /api/v1/user, /api/v1/users/..., /api/v1/orgs/...; `segments` follow /api/v1/. */
export function handleUsers(ctx: Ctx, segments: string[]): void {
  const caller = restCaller(ctx.store, ctx.req.headers.authorization);
  if (caller.kind === "invalid") return apiError(ctx, 401, "invalid username, password or token");
  const scopes = caller.kind === "user" ? caller.scopes : undefined;
  const [root, name, sub, member, ...rest] = segments;
  if (ctx.method !== "GET" || rest.length > 0) return apiNotFound(ctx);

  if (root === "user" && name === undefined) {
    if (!scoped(ctx, scopes, "user")) return;
    if (caller.kind !== "user") return apiError(ctx, 401, "token is required");
    return sendJson(ctx.res, 200, userJson(caller.user, ctx.rootUrl));
  }
  if (root === "users" && name !== undefined && sub === undefined) {
    if (!scoped(ctx, scopes, "user")) return;
    const user = ctx.store.ownerByName(name);
    if (!user || !canSee(user, caller)) return apiNotFound(ctx, "GetUserByName");
    return sendJson(ctx.res, 200, userJson(user, ctx.rootUrl));
  }
  if (root !== "orgs" || name === undefined) return apiNotFound(ctx);
  if (!scoped(ctx, scopes, "organization")) return;
  const org = ctx.store.ownerByName(name);
  // orgAssignment: a user's name is not an org; an invisible org is a 404.
  if (!org || org.kind !== "organization" || !canSee(org, caller)) return apiNotFound(ctx, "GetOrgByName");
  if (sub === undefined) return sendJson(ctx.res, 200, orgJson(org, ctx.rootUrl));
  if ((sub !== "members" && sub !== "public_members") || member === undefined) return apiNotFound(ctx);
  const target = ctx.store.ownerByName(member);
  if (sub === "public_members") {
    // The fake keeps every membership private, Forgejo's default.
    return target ? apiNotFound(ctx) : apiNotFound(ctx, "GetUserByName");
  }
  if (caller.kind !== "user") return apiError(ctx, 401, "token is required");
  if (!target || target.kind !== "user") return apiNotFound(ctx, "GetUserByName");
  // org.IsMember: members and admins get the truth; a non-member asking about itself gets 404;
  // anyone else is redirected to the public membership check.
  if (org.members.has(caller.user.id) || caller.user.isAdmin) return org.members.has(target.id) ? sendEmpty(ctx.res, 204) : apiNotFound(ctx);
  if (caller.user.id === target.id) return apiNotFound(ctx);
  sendEmpty(ctx.res, 302, { Location: `/api/v1/orgs/${encodeURIComponent(org.name)}/public_members/${encodeURIComponent(target.name)}` });
}
