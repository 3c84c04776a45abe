// One face for "the Forgejo a replay runs against": the fake, or the pinned real server behind a
// counting proxy. Replays push real images, date them, run a job and read what is left; the same
// test body and assertions run on both (see jobs/retention/test/incidents.test.ts).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { startCountingProxy, type CountedRequest } from "./forwarding-proxy.js";
import { requireBinary } from "./binaries.js";
import { skipReasonOutsideCI } from "./ci.js";
import { forgejoBuild, forgejoMissingReason, type ForgejoFlavour } from "./forgejo-build.js";
import { startForgejo, type ForgejoOptions, type ForgejoUser, type StartedForgejo } from "./forgejo.js";
import { startForgejoFake } from "./forgejo-fake/index.js";
import type { FakeScope, ForgejoFakeOptions } from "./forgejo-fake/index.js";
import type { FailNextMatch, FakeRequest, ForcedResponse } from "./request-rules.js";

/** What a replay needs of a server; the fake has all of it, the real server gets it below. */
export interface ReplayServer {
  /** "fake", or the real build's flavour. */
  kind: "fake" | ForgejoFlavour;
  /** For test titles: "fake", "Gitea v1.27.3". */
  label: string;
  url: string;
  host: string;
  user(login: string): { login: string; token: string };
  /** Another PAT with exactly these scopes (the real server's admin CLI is async). */
  addToken(login: string, scopes: FakeScope[]): string | Promise<string>;
  /** Versions pushed from now on are dated `date` (seconds, like created_unix). */
  setNow(date: Date): void;
  /** Version names and ids of a package, newest first (what is left after a run). */
  versions(owner: string, name: string): Array<{ id: number; version: string }>;
  /** Every request the server (the fake) or the proxy in front of it (real) received. */
  requests: CountedRequest[];
  /** Force the next `times` matching requests to answer `response` (the real server: at its proxy). */
  failNext(match: FailNextMatch, response: ForcedResponse, times?: number): void;
  /** Run `hook` before answering the next `times` matching requests (they wait for it). */
  beforeNext(match: FailNextMatch, hook: (request: FakeRequest) => Promise<void> | void, times?: number): void;
  /**
   * Remove the stored content of the manifest with this sha256 while its database rows stay: its
   * tag stays listed, HEAD and GET answer 404 MANIFEST_UNKNOWN (gitea#19586's workaround,
   * routers/api/packages/container/container.go: workaroundGetContainerBlob). The real server's
   * file is unlinked from its content store.
   */
  dropManifestContent(sha256Hex: string): void;
  /** Date what was pushed since the last setNow (the real server; the fake dates as it goes). */
  settle?(): void;
  stop(): Promise<void>;
}

/** Who exists on a replay server: users (one may be a site admin) and orgs with their Owners. */
export interface ReplayCast {
  users: Array<{ login: string; isAdmin?: boolean }>;
  orgs?: Array<{ name: string; owners: string[] }>;
}

/** The fake as a ReplayServer (it already is one, with its fault injection besides). */
export async function startFakeReplayServer(opts: ForgejoFakeOptions) {
  const fake = await startForgejoFake(opts);
  return Object.assign(fake, { kind: "fake" as const, label: "fake" });
}

function sqlite(db: string, sql: string): string {
  // The server holds the database open in WAL mode; wait for its write lock rather than fail.
  return execFileSync(requireBinary("sqlite3"), ["-cmd", ".timeout 10000", db, sql], { encoding: "utf8" }).trim();
}

/**
 * The pinned real server (forgejo.pin) with `cast`, behind a counting proxy. Dating works on the
 * database, as nothing else can: setNow(d) stamps every version created since the previous call
 * with the previous date, so "push at T" reads as on the fake. Call settle() (or versions(), or
 * setNow() again) before reading what the pushes made.
 */
export async function startRealReplayServer(cast: ReplayCast, opts: ForgejoOptions = {}): Promise<ReplayServer & { server: StartedForgejo }> {
  const server = await startForgejo(opts);
  try {
    const users = new Map<string, ForgejoUser>();
    for (const u of cast.users) users.set(u.login, await server.createUser(u.login, { admin: u.isAdmin ?? false }));
    for (const o of cast.orgs ?? []) {
      const [first, ...rest] = o.owners;
      if (first === undefined) throw new Error(`org ${o.name} needs an owner`);
      await server.createOrg(o.name, first);
      if (rest.length > 0) throw new Error(`org ${o.name}: only its creator is put in Owners on the real server`);
    }
    const proxy = await startCountingProxy(server.url);
    const db = server.dbPath;
    const maxId = (): number => Number(sqlite(db, "SELECT COALESCE(MAX(id), 0) FROM package_version;") || "0");
    let since = maxId();
    let pending: number | undefined;
    const settle = (): void => {
      if (pending === undefined) return;
      const top = maxId();
      if (top > since) sqlite(db, `UPDATE package_version SET created_unix = ${pending} WHERE id > ${since} AND id <= ${top};`);
      since = top;
    };
    const quote = (s: string): string => `'${s.toLowerCase().replaceAll("'", "''")}'`;
    return {
      kind: server.build.flavour,
      label: server.build.label,
      url: proxy.url,
      host: new URL(proxy.url).host,
      server,
      settle,
      user(login) {
        const u = users.get(login);
        if (!u) throw new Error(`no user ${login} on the real server`);
        return u;
      },
      addToken: (login, scopes) => server.createToken(login, scopes),
      failNext: (match, response, times) => proxy.rules.failNext(match, response, times),
      beforeNext: (match, hook, times) => proxy.rules.beforeNext(match, hook, times),
      dropManifestContent: (hex) => rmSync(server.contentPath(hex)),
      setNow(date) {
        settle();
        since = maxId();
        pending = Math.floor(date.getTime() / 1000);
      },
      versions(owner, name) {
        settle();
        const rows = sqlite(
          db,
          "SELECT v.id || ' ' || v.lower_version FROM package_version v JOIN package p ON p.id = v.package_id JOIN user u ON u.id = p.owner_id " +
            `WHERE p.type = 'container' AND v.is_internal = 0 AND u.lower_name = ${quote(owner)} AND p.lower_name = ${quote(name)} ` +
            "ORDER BY v.created_unix DESC, v.id ASC;",
        );
        return rows === "" ? [] : rows.split("\n").map((r) => ({ id: Number(r.split(" ")[0]), version: r.slice(r.indexOf(" ") + 1) }));
      },
      requests: proxy.requests,
      stop: async () => {
        await proxy.stop();
        await server.stop();
      },
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/**
 * Why replays cannot run on the real server here (outside CI), else undefined.
 * `REGGUARD_REAL_FORGEJO=off` is the mutation run's switch (scripts/mutation.mjs): a mutant
 * reruns the test files that cover it, and a real server per rerun would cost minutes.
 */
export function realReplayMissingReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.REGGUARD_REAL_FORGEJO === "off") return "REGGUARD_REAL_FORGEJO=off (the mutation run keeps to the fake)";
  return forgejoMissingReason(forgejoBuild());
}

/** Where a replay runs: the same cases, once per target, with the same assertions. */
export interface ReplayTarget {
  /** "the fake" or "real Gitea v1.27.3", for describe titles. */
  name: string;
  start(cast: ReplayCast): Promise<ReplayServer>;
  /** Why it cannot run here (printed; never set in CI, where the start fails instead). */
  skip: string | undefined;
}

/** The fake and the pinned real server; `what` names the cases in the printed skip reason. */
export function replayTargets(what: string): ReplayTarget[] {
  const label = forgejoBuild().label;
  return [
    { name: "the fake", start: (cast) => startFakeReplayServer(cast), skip: undefined },
    { name: `real ${label}`, start: (cast) => startRealReplayServer(cast), skip: skipReasonOutsideCI(`${what} on real ${label}`, realReplayMissingReason()) },
  ];
}
