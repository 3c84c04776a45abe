// startForgejoFake: an in-process node:http server on 127.0.0.1 that answers like Forgejo v11's
// packages REST API and container registry, with test hooks (clock, forced failures, request log).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeHttpServer, listenOnLoopback, stopOnce } from "../listen.js";
import { Access, TokenIssuer } from "./auth.js";
import { RequestRules } from "../request-rules.js";
import { apiNotFound, sendEmpty, sendJson, type Ctx } from "./http.js";
import { handleV2 } from "./oci-routes.js";
import { manifestDigest, searchVersions } from "./query.js";
import { handlePackages } from "./rest-packages.js";
import { handleUsers } from "./rest-users.js";
import { FakeStore, type Owner } from "./store.js";
import type { FakeScope, FakeUnitAccess, FakeUser, ForgejoFakeOptions, StartedForgejoFake } from "./types.js";

/** Scopes a user's PAT gets unless the test says otherwise: enough for the retention job's calls. */
export const FORGEJO_FAKE_DEFAULT_SCOPES: FakeScope[] = ["write:package", "read:user", "read:organization"];

/** A PAT looks like Forgejo's: 40 hex characters. */
const newToken = (): string => randomBytes(20).toString("hex");

function seed(store: FakeStore, opts: ForgejoFakeOptions): void {
  const now = store.nowUnix();
  for (const u of opts.users ?? [{ login: "admin", isAdmin: true }]) {
    if (store.ownerByName(u.login)) throw new Error(`users: duplicate login ${u.login}`);
    store.owners.push({
      id: store.nextId(),
      name: u.login,
      lowerName: u.login.toLowerCase(),
      kind: "user",
      visibility: u.visibility ?? "public",
      isAdmin: u.isAdmin ?? false,
      password: u.password ?? `${u.login}-password`,
      tokens: [{ token: u.token ?? newToken(), scopes: u.scopes ?? FORGEJO_FAKE_DEFAULT_SCOPES }],
      members: new Set(),
      packageAccess: new Map(),
      createdUnix: now,
    });
  }
  for (const o of opts.orgs ?? []) {
    if (store.ownerByName(o.name)) throw new Error(`orgs: name ${o.name} is already taken`);
    const members = new Set<number>();
    const packageAccess = new Map<number, number>();
    const grant = (login: string, mode: number) => {
      const m = store.ownerByName(login);
      if (!m || m.kind !== "user") throw new Error(`orgs: member ${login} of ${o.name} is not a configured user`);
      members.add(m.id);
      // A member in several teams gets the highest mode any of them grants (determineAccessMode).
      if (mode > Access.Read) packageAccess.set(m.id, Math.max(mode, packageAccess.get(m.id) ?? Access.None));
    };
    for (const login of o.owners ?? []) grant(login, Access.Owner);
    for (const login of o.members ?? []) grant(login, Access.Read);
    for (const team of o.teams ?? []) for (const login of team.members) grant(login, UNIT_ACCESS[team.packages]);
    store.owners.push({
      id: store.nextId(),
      name: o.name,
      lowerName: o.name.toLowerCase(),
      kind: "organization",
      visibility: o.visibility ?? "public",
      isAdmin: false,
      password: "",
      tokens: [],
      members,
      packageAccess,
      createdUnix: now,
    });
  }
}

/** A team's packages unit as an access mode; "none" still leaves a member read through visibility. */
const UNIT_ACCESS: Record<FakeUnitAccess, number> = { none: Access.None, read: Access.Read, write: Access.Write };

const segmentsOf = (raw: string): string[] => raw.split("/").map((s) => decodeURIComponent(s));

async function route(ctx: Ctx): Promise<void> {
  const path = ctx.url.pathname.replace(/\/+$/, "");
  if (path === "/v2" || path.startsWith("/v2/")) return handleV2(ctx, decodeURIComponent(path.slice(4)));
  if (path === "/api/healthz") return sendJson(ctx.res, 200, { status: "pass" });
  if (path === "/api/v1/version") return sendJson(ctx.res, 200, { version: "11.0.0+gitea-1.22.0" });
  if (path.startsWith("/api/v1/packages/")) return handlePackages(ctx, segmentsOf(path.slice("/api/v1/packages/".length)));
  if (/^\/api\/v1\/(user|users\/|orgs\/)/.test(path)) return handleUsers(ctx, segmentsOf(path.slice("/api/v1/".length)));
  if (path.startsWith("/api/")) return apiNotFound(ctx);
  sendEmpty(ctx.res, 404);
}

/** Starts the fake on a free 127.0.0.1 port. */
export async function startForgejoFake(opts: ForgejoFakeOptions = {}): Promise<StartedForgejoFake> {
  const store = new FakeStore();
  seed(store, opts);
  const issuer = new TokenIssuer();
  const requests: StartedForgejoFake["requests"] = [];
  const rules = new RequestRules();
  let rootUrl = "";

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? "GET").toUpperCase();
    const target = req.url ?? "/";
    requests.push({ method, path: target });
    rules.answer(req, res, () => {
      const ctx: Ctx = { req, res, method, url: new URL(target, "http://fake.invalid"), rootUrl, store, issuer };
      route(ctx).catch(() => {
        if (!res.headersSent) sendEmpty(res, 500);
        else res.destroy();
      });
    });
  };

  const server = createServer(handler);
  const port = await listenOnLoopback(server);
  const url = `http://127.0.0.1:${port}`;
  rootUrl = opts.rootUrl ? opts.rootUrl.replace(/\/*$/, "/") : `${url}/`;

  const ownerOrThrow = (login: string): Owner => {
    const o = store.ownerByName(login);
    if (!o) throw new Error(`forgejo fake: unknown owner ${login}`);
    return o;
  };

  return {
    url,
    host: `127.0.0.1:${port}`,
    requests,
    stop: stopOnce(() => closeHttpServer(server)),
    user(login): FakeUser {
      const o = ownerOrThrow(login);
      if (o.kind !== "user") throw new Error(`forgejo fake: ${login} is an organization`);
      const main = o.tokens[0]!;
      return { login: o.name, password: o.password, isAdmin: o.isAdmin, token: main.token, scopes: [...main.scopes], visibility: o.visibility };
    },
    addToken(login, scopes) {
      const o = ownerOrThrow(login);
      if (o.kind !== "user") throw new Error(`forgejo fake: ${login} is an organization`);
      const token = newToken();
      o.tokens.push({ token, scopes: [...scopes] });
      return token;
    },
    setNow: (date) => store.setNow(date),
    versions(owner, name) {
      return searchVersions(store, ownerOrThrow(owner).id, { name }).map(({ v }) => ({
        id: v.id,
        version: v.version,
        digest: manifestDigest(v),
        createdAt: new Date(v.createdUnix * 1000),
      }));
    },
    failNext: (match, response, times) => rules.failNext(match, response, times),
    beforeNext: (match, hook, times) => rules.beforeNext(match, hook, times),
    dropManifestContent(hex) {
      if (!store.blobs.delete(hex)) throw new Error(`forgejo fake: no stored content sha256:${hex}`);
    },
  };
}
