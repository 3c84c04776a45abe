// Who the token is and whether it may delete an owner's packages (routers/api/v1/user/user.go,
// routers/api/v1/org/{org,member}.go). docs/design.md, R3: a token of the wrong user got 403 on every
// DELETE for weeks; this is the preflight that catches it before any plan is made.
import { ForgejoProtocolError } from "./errors.js";
import { object, user } from "./parse.js";
import { segment } from "./paths.js";
import type { Transport } from "./transport.js";
import type { ForgejoUser, OwnerKind, WriteAccess } from "./types.js";

/** GET /api/v1/user (the PAT needs read:user). */
export async function currentUser(t: Transport, signal?: AbortSignal): Promise<ForgejoUser> {
  const a = await t.send("GET", "/api/v1/user", { ok: [200], signal });
  return user(a, object(a));
}

/**
 * Is `login` a member of `org`? 204 yes, 404 no. A caller who is not a member is redirected (302)
 * to the public-membership check; that redirect is followed once, on the same origin only.
 */
export async function orgMembership(t: Transport, org: string, login: string, signal?: AbortSignal): Promise<boolean> {
  const a = await t.send("GET", `/api/v1/orgs/${segment(org)}/members/${segment(login)}`, { ok: [204, 404, 302], signal });
  if (a.status !== 302) return a.status === 204;
  const base = t.url("/");
  const target = new URL(a.headers.location ?? "", base);
  if (target.origin !== base.origin) throw new ForgejoProtocolError(`${a.url}: membership redirect leaves the server`, { status: 302, url: a.url });
  const b = await t.send("GET", target.pathname, { ok: [204, 404], signal });
  return b.status === 204;
}

/** An org answers /orgs/{name}; a user only /users/{name}. Unknown names throw NotFound. */
export async function ownerKind(t: Transport, name: string, signal?: AbortSignal): Promise<OwnerKind> {
  const a = await t.send("GET", `/api/v1/orgs/${segment(name)}`, { ok: [200, 404], signal });
  if (a.status === 200) return "organization";
  await t.send("GET", `/api/v1/users/${segment(name)}`, { ok: [200], signal });
  return "user";
}

/**
 * Whether the token's user may delete versions of `owner`: the owner itself, a site admin, or a
 * member of the owner org. Membership approximates "the Owners team or a team with write on the
 * packages unit" (a plain member passes here); the token's scope is probeDeleteScope's to check,
 * and the first DELETE is the final word.
 */
export async function writeAccess(t: Transport, owner: string, signal?: AbortSignal): Promise<WriteAccess> {
  const me = await currentUser(t, signal);
  if (me.login.toLowerCase() === owner.toLowerCase()) return { allowed: true, reason: "owner", user: me };
  if (me.isAdmin) return { allowed: true, reason: "admin", user: me };
  if ((await ownerKind(t, owner, signal)) === "organization" && (await orgMembership(t, owner, me.login, signal))) {
    return { allowed: true, reason: "org-member", user: me };
  }
  return { allowed: false, reason: "no-write-access", user: me };
}
