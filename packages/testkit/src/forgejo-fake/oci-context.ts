// Per-request state of a /v2/<owner>/<image>/... call and the two permission answers
// (routers/api/packages/api.go: ContainerRoutes, reqPackageAccess; container.go: apiUnauthorizedError).
import { Access, hasScope, type Caller } from "./auth.js";
import { ociError, sendText, type Ctx } from "./http.js";
import type { Owner } from "./store.js";

export interface OciCtx extends Ctx {
  caller: Caller;
  owner: Owner;
  mode: Access;
  image: string;
}

/** 401 with the Bearer challenge; realm is ROOT_URL + "v2/token" even when the fake is reached another way. */
export function unauthorized(ctx: Ctx): void {
  ociError(ctx, 401, "UNAUTHORIZED", "authentication required", {
    "WWW-Authenticate": `Bearer realm="${ctx.rootUrl}v2/token",service="container_registry",scope="*"`,
  });
}

/**
 * reqPackageAccess: a token's scope must cover the access, then the access mode must (site admins
 * pass). A failure is a 401 with a Basic challenge and a plain-text body, not an OCI error document.
 */
export function packageAccess(ctx: OciCtx, needed: Access): boolean {
  const scopes = ctx.caller.kind === "user" ? ctx.caller.scopes : undefined;
  const scope = needed >= Access.Write ? "write:package" : "read:package";
  const isAdmin = ctx.caller.kind === "user" && ctx.caller.user.isAdmin;
  if (hasScope(scopes, scope) && (ctx.mode >= needed || isAdmin)) return true;
  sendText(ctx.res, 401, "reqPackageAccess", { "WWW-Authenticate": 'Basic realm="Gitea Package API"' });
  return false;
}

/** container.VerifyImageName: only lower-case image names pass. */
const IMAGE_NAME = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

export function verifyImageName(ctx: OciCtx): boolean {
  if (IMAGE_NAME.test(ctx.image)) return true;
  ociError(ctx, 400, "NAME_INVALID", "invalid repository name");
  return false;
}

/** go-digest Validate for the algorithms Forgejo accepts. */
export const isDigest = (s: string): boolean => /^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/.test(s);

/** container_service.ReferencePattern: what a tag may look like. */
export const isTag = (s: string): boolean => /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(s);
