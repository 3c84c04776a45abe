// /v2 dispatch in ContainerRoutes order: auth (Basic or package JWT) -> ReqContainerAccess ->
// UserAssignmentWeb -> PackageAssignment -> reqPackageAccess(read) -> path patterns
// (routers/api/packages/api.go: ContainerRoutes; container.go: Authenticate, DetermineSupport).
import { accessMode, Access } from "./auth.js";
import { OCI_HEADERS, sendEmpty, sendJson, sendText, type Ctx } from "./http.js";
import { blob, continueUpload, initiateUpload } from "./oci-blobs.js";
import { packageAccess, unauthorized, verifyImageName, type OciCtx } from "./oci-context.js";
import { putManifest } from "./oci-manifest-put.js";
import { catalog, deleteManifest, getManifest, tagList } from "./oci-manifests.js";

const UPLOADS = /^(.+)\/blobs\/uploads\/([a-zA-Z0-9-_.=]+)$/;
const BLOBS = /^(.+)\/blobs\/([^/]+)$/;
const MANIFESTS = /^(.+)\/manifests\/([^/]+)$/;

/** `rest` is the decoded path after /v2, trailing slashes stripped (Forgejo's stripSlashesMiddleware). */
export async function handleV2(ctx: Ctx, rest: string): Promise<void> {
  const caller = await ctx.issuer.v2Caller(ctx.store, ctx.req.headers.authorization);
  // verifyContainerAuth: credentials that do not verify are a 401 challenge, wherever they go.
  if (caller.kind === "invalid") return unauthorized(ctx);

  if (rest === "token") {
    if (ctx.method === "POST") return sendEmpty(ctx.res, 404); // AuthenticateNotImplemented
    if (ctx.method !== "GET") return sendEmpty(ctx.res, 405);
    // No credentials: a token for the Ghost user (anonymous pulls of public owners).
    const token = caller.kind === "user" ? await ctx.issuer.issue(caller.user.id, caller.scopes) : await ctx.issuer.issue(-1, undefined);
    return sendJson(ctx.res, 200, { token });
  }
  // ReqContainerAccess: no user at all (not even Ghost) gets the Bearer challenge.
  if (caller.kind === "anonymous") return unauthorized(ctx);
  if (rest === "") return sendEmpty(ctx.res, 200, { ...OCI_HEADERS, "Content-Length": 0 });
  if (rest === "_catalog") return ctx.method === "GET" ? catalog(ctx, caller) : sendEmpty(ctx.res, 405);

  const slash = rest.indexOf("/");
  const ownerName = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash + 1);
  const owner = ctx.store.ownerByName(ownerName);
  if (!owner) return sendText(ctx.res, 404, "Not found.");
  const oci: OciCtx = { ...ctx, caller, owner, mode: accessMode(owner, caller), image: "" };
  if (!packageAccess(oci, Access.Read)) return;
  const m = ctx.method;

  if (m === "POST" && path.endsWith("/blobs/uploads")) {
    oci.image = path.slice(0, -"/blobs/uploads".length);
    if (!packageAccess(oci, Access.Write) || !verifyImageName(oci)) return;
    return initiateUpload(oci);
  }
  if (m === "GET" && path.endsWith("/tags/list")) {
    oci.image = path.slice(0, -"/tags/list".length);
    return verifyImageName(oci) ? tagList(oci) : undefined;
  }
  let match = UPLOADS.exec(path);
  if (match && ["GET", "PUT", "PATCH", "DELETE"].includes(m)) {
    oci.image = match[1]!;
    if (!packageAccess(oci, Access.Write) || !verifyImageName(oci)) return;
    return continueUpload(oci, match[2]!);
  }
  match = BLOBS.exec(path);
  if (match && ["HEAD", "GET", "DELETE"].includes(m)) {
    oci.image = match[1]!;
    if (!verifyImageName(oci) || (m === "DELETE" && !packageAccess(oci, Access.Write))) return;
    return blob(oci, match[2]!);
  }
  match = MANIFESTS.exec(path);
  if (match && ["HEAD", "GET", "PUT", "DELETE"].includes(m)) {
    oci.image = match[1]!;
    if (!verifyImageName(oci)) return;
    if (m === "HEAD" || m === "GET") return getManifest(oci, match[2]!);
    if (!packageAccess(oci, Access.Write)) return;
    return m === "PUT" ? putManifest(oci, match[2]!) : deleteManifest(oci, match[2]!);
  }
  // Anything else, the OCI referrers API included: a bare 404.
  sendEmpty(ctx.res, 404);
}
