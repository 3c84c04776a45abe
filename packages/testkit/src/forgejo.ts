// A real Forgejo-family server (the binary scripts/forgejo.sh built: see forgejo.pin for which) as a
// process on 127.0.0.1: SQLite in a temporary work path, install locked, packages on, registration,
// SSH, mail, the update checker and every package-changing cron off unless asked for. Users and
// tokens are made with the server's own `admin` CLI, as an operator would.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { request } from "undici";
import { StartFailedError } from "./errors.js";
import { forgejoBuild, forgejoMissingReason, type ForgejoBuild } from "./forgejo-build.js";
import { freePort } from "./ports.js";
import { spawnServer } from "./process.js";
import { httpAnswers } from "./ready.js";
import { makeTempDir, removeDir } from "./tmp.js";
import type { StartedServer } from "./types.js";

const run = promisify(execFile);

/** The scopes of a user's main token: enough to push, list, delete and identify itself. */
export const FORGEJO_MAIN_SCOPES = ["write:package", "read:user", "read:organization"] as const;

/** A user of the started server with its password and one PAT. */
export interface ForgejoUser {
  login: string;
  password: string;
  token: string;
}

export interface ForgejoOptions {
  /**
   * Run the `cleanup_packages` cron at start-up and every `@every 1m`, with this OLDER_THAN
   * (e.g. "0s"): Forgejo's own package cleanup, for the tests that ask what it removes.
   * Off by default: nothing but the test changes packages.
   */
  cleanupPackages?: { olderThan: string };
  /** Start-up limit; the first start of a fresh SQLite database migrates every table. */
  timeoutMs?: number;
}

/** A running server; `admin` is a site admin whose main token has every scope. */
export interface StartedForgejo extends StartedServer {
  build: ForgejoBuild;
  /** The SQLite database file (tests that must date a row do so through the sqlite3 CLI). */
  dbPath: string;
  /**
   * Where the content of a stored blob or manifest with this sha256 lives on disk: the packages
   * content store under APP_DATA_PATH (modules/packages/content_store.go: KeyToRelativePath).
   */
  contentPath(sha256Hex: string): string;
  admin: ForgejoUser;
  /** The server's PID (stop() kills its process group). */
  pid: number;
  /** Milliseconds from spawn to /api/healthz answering 200. */
  startMs: number;
  /** Creates a user with a main token (FORGEJO_MAIN_SCOPES, or `scopes`). */
  createUser(login: string, opts?: { admin?: boolean; scopes?: readonly string[] }): Promise<ForgejoUser>;
  /** Another PAT of `login` with exactly these scopes. */
  createToken(login: string, scopes: readonly string[]): Promise<string>;
  /** An organization created by `ownerLogin`, which puts that user in its Owners team. */
  createOrg(name: string, ownerLogin: string): Promise<void>;
  /** Runs `<server> admin ...` against this instance; stdout, trimmed. */
  cli(args: readonly string[]): Promise<string>;
}

/** What app.ini needs: the work dir, the port, where templates/options live, who runs it. */
export interface ForgejoIniOptions {
  dir: string;
  port: number;
  static: string;
  runUser: string;
  cleanup?: { olderThan: string } | undefined;
  /** Default Warn; Info prints "Listen: http://..." (cmd/web.go), what a log wait strategy needs. */
  logLevel?: "Warn" | "Info";
}

/** The app.ini of a test server; every path inside `dir`, listening on 127.0.0.1 only. */
export function forgejoAppIni(o: ForgejoIniOptions): string {
  const url = `http://127.0.0.1:${o.port}/`;
  const secret = (): string => randomBytes(24).toString("hex");
  // Keys are Gitea's and Forgejo's alike (modules/setting/*.go). Every path is inside the work dir.
  return [
    "APP_NAME = regguard test server",
    "RUN_MODE = prod",
    `RUN_USER = ${o.runUser}`,
    // CI runs as root; the server refuses that unless told (modules/setting/setting.go).
    "I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true",
    `WORK_PATH = ${o.dir}`,
    "[server]",
    "PROTOCOL = http",
    "HTTP_ADDR = 127.0.0.1",
    `HTTP_PORT = ${o.port}`,
    `ROOT_URL = ${url}`,
    "DISABLE_SSH = true",
    "START_SSH_SERVER = false",
    "OFFLINE_MODE = true",
    "LFS_START_SERVER = false",
    `APP_DATA_PATH = ${join(o.dir, "data")}`,
    // Built without bindata: templates/ and options/ are read from the cache entry.
    `STATIC_ROOT_PATH = ${o.static}`,
    "[database]",
    "DB_TYPE = sqlite3",
    `PATH = ${join(o.dir, "data", "server.db")}`,
    "SQLITE_JOURNAL_MODE = WAL",
    "[security]",
    "INSTALL_LOCK = true",
    `SECRET_KEY = ${secret()}`,
    `INTERNAL_TOKEN = ${secret()}`,
    "[oauth2]",
    `JWT_SECRET = ${randomBytes(32).toString("base64url")}`,
    "[service]",
    "DISABLE_REGISTRATION = true",
    "[mailer]",
    "ENABLED = false",
    "[packages]",
    "ENABLED = true",
    "[actions]",
    "ENABLED = false",
    "[repository]",
    `ROOT = ${join(o.dir, "repos")}`,
    "[session]",
    "PROVIDER = memory",
    "[cache]",
    "ADAPTER = memory",
    "[indexer]",
    "ISSUE_INDEXER_TYPE = db",
    "REPO_INDEXER_ENABLED = false",
    "[log]",
    "MODE = console",
    `LEVEL = ${o.logLevel ?? "Warn"}`,
    `ROOT_PATH = ${join(o.dir, "log")}`,
    "[cron.update_checker]",
    "ENABLED = false",
    "[cron.cleanup_packages]",
    ...(o.cleanup ? ["ENABLED = true", "RUN_AT_START = true", "SCHEDULE = @every 1m", `OLDER_THAN = ${o.cleanup.olderThan}`] : ["ENABLED = false"]),
    "",
  ].join("\n");
}

/** Starts the pinned server; throws StartFailedError (with its last output lines) when it cannot. */
export async function startForgejo(opts: ForgejoOptions = {}): Promise<StartedForgejo> {
  const build = forgejoBuild();
  const missing = forgejoMissingReason(build);
  if (missing) throw new StartFailedError(missing);
  const dir = await makeTempDir("forgejo");
  let stopProc: (() => Promise<void>) | undefined;
  try {
    await mkdir(join(dir, "data"), { recursive: true });
    await mkdir(join(dir, "custom"), { recursive: true });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const ini = join(dir, "app.ini");
    await writeFile(ini, forgejoAppIni({ dir, port, static: build.dir, runUser: userInfo().username, cleanup: opts.cleanupPackages }));
    const env = { ...process.env, GITEA_WORK_DIR: dir, GITEA_CUSTOM: join(dir, "custom"), HOME: dir };
    const globalFlags = ["--config", ini, "--work-path", dir, "--custom-path", join(dir, "custom")];
    const t0 = Date.now();
    const proc = await spawnServer({
      name: build.label,
      command: build.binary,
      args: [...globalFlags, "web"],
      cwd: dir,
      env,
      ready: () => httpAnswers(`${url}/api/healthz`, (s) => s === 200),
      timeoutMs: opts.timeoutMs ?? 90_000,
    });
    const startMs = Date.now() - t0;
    stopProc = () => proc.stop();

    const cli = async (args: readonly string[]): Promise<string> => {
      try {
        const { stdout } = await run(build.binary, [...globalFlags, "admin", ...args], { cwd: dir, env, timeout: 60_000 });
        return stdout.trim();
      } catch (e) {
        const err = e as { stderr?: string; stdout?: string; message: string };
        throw new StartFailedError(`${build.label} admin ${args.slice(0, 2).join(" ")} failed: ${(err.stderr || err.stdout || err.message).slice(0, 500)}`);
      }
    };
    // `--raw` prints the token alone; older releases print a line before it, so take the last.
    const createToken = async (login: string, scopes: readonly string[]): Promise<string> =>
      (
        await cli([
          "user",
          "generate-access-token",
          "--username",
          login,
          "--token-name",
          `t-${randomBytes(4).toString("hex")}`,
          "--scopes",
          scopes.join(","),
          "--raw",
        ])
      )
        .split("\n")
        .pop()!
        .trim();
    const createUser = async (login: string, o: { admin?: boolean; scopes?: readonly string[] } = {}): Promise<ForgejoUser> => {
      const password = `${login}-Passw0rd!${randomBytes(4).toString("hex")}`;
      const flags = ["user", "create", "--username", login, "--password", password, "--email", `${login}@example.invalid`, "--must-change-password=false"];
      await cli(o.admin ? [...flags, "--admin"] : flags);
      return { login, password, token: await createToken(login, o.scopes ?? FORGEJO_MAIN_SCOPES) };
    };
    const admin = await createUser("regguard-admin", { admin: true, scopes: ["all"] });
    const createOrg = async (name: string, ownerLogin: string): Promise<void> => {
      // POST /admin/users/{owner}/orgs makes `owner` the org's creator, i.e. in its Owners team.
      const res = await request(`${url}/api/v1/admin/users/${encodeURIComponent(ownerLogin)}/orgs`, {
        method: "POST",
        headers: { authorization: `token ${admin.token}`, "content-type": "application/json" },
        body: JSON.stringify({ username: name, visibility: "public" }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new StartFailedError(`creating org ${name}: ${res.statusCode} ${text.slice(0, 200)}`);
    };
    return {
      url,
      build,
      dbPath: join(dir, "data", "server.db"),
      contentPath: (hex) => join(dir, "data", "packages", hex.slice(0, 2), hex.slice(2, 4), hex),
      admin,
      pid: proc.pid,
      startMs,
      createUser,
      createToken,
      createOrg,
      cli,
      stop: async () => {
        await proc.stop();
        await removeDir(dir);
      },
    };
  } catch (err) {
    await stopProc?.();
    await removeDir(dir);
    throw err;
  }
}
