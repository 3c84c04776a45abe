// Who is calling and what may they do: PAT / Basic / package JWT resolution and the access mode
// decision (services/auth/basic.go, routers/api/packages/container/auth.go,
// services/packages/auth.go, services/packages/packages.go: DeterminePackageAccessMode).
import { randomBytes } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import type { FakeScope } from "./types.js";
import type { FakeStore, Owner } from "./store.js";

/** The anonymous "Ghost" user (id -1) that /v2/token hands out when no credentials are sent. */
export const GHOST = "ghost" as const;

/** Who the request is from. `scopes` undefined = not a token (password auth): no scope limits. */
export type Caller =
  { kind: "anonymous" } | { kind: "invalid" } | { kind: "ghost"; scopes: undefined } | { kind: "user"; user: Owner; scopes: FakeScope[] | undefined };

/** perm.AccessMode values used by the packages code. */
export const Access = { None: 0, Read: 1, Write: 2, Owner: 4 } as const;
export type Access = (typeof Access)[keyof typeof Access];

/** HasScope: `all` covers everything, `write:x` covers `read:x` (models/auth/access_token_scope.go). */
export function hasScope(scopes: FakeScope[] | undefined, needed: FakeScope): boolean {
  if (scopes === undefined) return true;
  if (scopes.includes("all") || scopes.includes(needed)) return true;
  return needed.startsWith("read:") && scopes.includes(`write:${needed.slice(5)}` as FakeScope);
}

function decodeBasic(value: string): { user: string; pass: string } | undefined {
  const raw = Buffer.from(value, "base64").toString("utf8");
  const i = raw.indexOf(":");
  return i < 0 ? undefined : { user: raw.slice(0, i), pass: raw.slice(i + 1) };
}

/**
 * Basic auth: the password (or the username when the password is empty / x-oauth-basic) is tried
 * as a PAT first, without checking that the username matches; then login + password.
 */
function basicCaller(store: FakeStore, value: string): Caller {
  const creds = decodeBasic(value);
  if (!creds) return { kind: "invalid" };
  const usernameIsToken = creds.pass === "" || creds.pass === "x-oauth-basic";
  const token = usernameIsToken ? creds.user : creds.pass;
  const byToken = token === "" ? undefined : store.byToken(token);
  if (byToken) return { kind: "user", ...byToken };
  const byPass = store.ownerByName(creds.user);
  if (byPass && byPass.kind === "user" && byPass.password === creds.pass) return { kind: "user", user: byPass, scopes: undefined };
  return { kind: "invalid" };
}

/** REST (/api/v1): `token <PAT>`, `Bearer <PAT>` or Basic. */
export function restCaller(store: FakeStore, header: string | undefined): Caller {
  if (!header) return { kind: "anonymous" };
  const [scheme = "", value = ""] = header.trim().split(/\s+/, 2);
  const s = scheme.toLowerCase();
  if (s === "basic") return basicCaller(store, value);
  if (s === "token" || s === "bearer") {
    const hit = value === "" ? undefined : store.byToken(value);
    return hit ? { kind: "user", ...hit } : { kind: "invalid" };
  }
  return { kind: "anonymous" };
}

/** Signs and checks the package JWTs of /v2/token (services/packages/auth.go): HS256, 24 h, uid + scope. */
export class TokenIssuer {
  private readonly secret = new Uint8Array(randomBytes(32));

  async issue(uid: number, scopes: FakeScope[] | undefined): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { uid };
    if (scopes) claims.scope = scopes.join(",");
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setNotBefore(now)
      .setExpirationTime(now + 24 * 3600)
      .sign(this.secret);
  }

  /** /v2: Basic or `Bearer <package JWT>`; any other scheme counts as no credentials. */
  async v2Caller(store: FakeStore, header: string | undefined): Promise<Caller> {
    if (!header) return { kind: "anonymous" };
    const [scheme = "", value = ""] = header.trim().split(/\s+/, 2);
    if (scheme.toLowerCase() === "basic") return basicCaller(store, value);
    if (scheme.toLowerCase() !== "bearer") return { kind: "anonymous" };
    try {
      const { payload } = await jwtVerify(value, this.secret);
      const scopes = typeof payload.scope === "string" && payload.scope !== "" ? (payload.scope.split(",") as FakeScope[]) : undefined;
      if (payload.uid === -1) return { kind: GHOST, scopes: undefined };
      const user = store.ownerById(Number(payload.uid));
      return user ? { kind: "user", user, scopes } : { kind: "invalid" };
    } catch {
      return { kind: "invalid" };
    }
  }
}

/** IsUserVisibleToViewer / HasOrgOrUserVisible, reduced to what the fake models. */
export function canSee(owner: Owner, caller: Caller): boolean {
  if (owner.visibility === "public") return true;
  if (caller.kind !== "user") return false;
  if (owner.visibility === "limited") return true;
  return caller.user.isAdmin || caller.user.id === owner.id || owner.members.has(caller.user.id);
}

/**
 * determineAccessMode (services/context/package.go) with reqPackageAccess's admin pass folded in:
 * admin or the owner itself = owner. For an org, the Owners team = owner and a team's packages unit
 * its mode (GetOrgUserMaxAuthorizeLevel, then Team.UnitAccessMode(unit.TypePackages)); any other
 * member, like anyone the org is visible to, only reads. Team `authorize` levels other than the
 * Owners team are not modelled: the fake's teams carry just their packages unit.
 */
export function accessMode(owner: Owner, caller: Caller): Access {
  if (caller.kind === "user" && (caller.user.isAdmin || caller.user.id === owner.id)) return Access.Owner;
  if (caller.kind === "user" && owner.kind === "organization") {
    const mode = owner.packageAccess.get(caller.user.id);
    if (mode !== undefined && mode >= Access.Write) return mode as Access;
  }
  return canSee(owner, caller) ? Access.Read : Access.None;
}
