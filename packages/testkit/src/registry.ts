// Real distribution registry (Debian docker-registry 2.8.2) on 127.0.0.1, in any of the three auth modes.
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { requireBinary } from "./binaries.js";
import { InvalidOptionError } from "./errors.js";
import { processCpuSeconds } from "./measure-process.js";
import { freePort } from "./ports.js";
import { spawnServer, type ManagedProcess } from "./process.js";
import { httpAnswers } from "./ready.js";
import { registryConfig, type RegistryAuthConfig } from "./registry-config.js";
import { createTokenSigningMaterial } from "./token-cert.js";
import { startTokenServer, type StartedTokenServer, type TokenResponseShape } from "./token-server.js";
import { makeTempDir, removeDir } from "./tmp.js";
import type { StartedServer } from "./types.js";

/** How clients must authenticate: none, Basic (htpasswd, bcrypt) or Docker Bearer tokens. */
export type RegistryAuth = "none" | "htpasswd" | "token";

/** startRegistry options; credentials default to tester / s3cret-pass. */
export interface RegistryOptions {
  auth?: RegistryAuth;
  username?: string;
  password?: string;
  /** Token mode: which of `token` / `access_token` the token JSON carries (client compatibility tests). */
  tokenResponse?: TokenResponseShape;
}

/** A running registry plus the handles tests need to damage and interrupt it for real. */
export interface StartedRegistry extends StartedServer {
  url: string;
  host: string;
  rootDir: string;
  auth: RegistryAuth;
  username?: string;
  password?: string;
  tokenRealm?: string;
  tokenRequests: number;
  /** distribution#3324 for real: deletes the revision link of `digest` in `repo` while running. */
  corruptRevisionLink(repo: string, digest: string): Promise<void>;
  /** Deletes a blob's data file from storage (blob_missing scenario). */
  deleteBlobData(digest: string): Promise<void>;
  /** Stops and starts again on the same port and storage (interrupts transfers). */
  restart(): Promise<void>;
  /** CPU seconds the registry process has used since it (re)started, for benches on shared cores. */
  cpuSeconds(): Promise<number>;
}

/** Default Basic/token credentials: fixed so failing tests can be replayed by hand with curl. */
export const DEFAULT_REGISTRY_USERNAME = "tester";
/** Default password (test-only; never a real secret). */
export const DEFAULT_REGISTRY_PASSWORD = "s3cret-pass";
const TOKEN_SERVICE = "regguard-testkit-registry";
const TOKEN_ISSUER = "regguard-testkit-issuer";
// Lowest bcrypt cost Go accepts: the registry re-checks the hash on every Basic request.
const BCRYPT_COST = 4;

function hexOf(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m?.[1]) throw new InvalidOptionError(`digest must be sha256:<64 hex>, got "${digest}"`);
  return m[1];
}

/** Starts docker-registry on a free port with a fresh storage dir; throws naming the apt package if missing. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<StartedRegistry> {
  const binary = requireBinary("docker-registry");
  const auth = opts.auth ?? "none";
  if (!["none", "htpasswd", "token"].includes(auth)) throw new InvalidOptionError(`auth must be none|htpasswd|token, got "${auth}"`);
  const username = opts.username ?? DEFAULT_REGISTRY_USERNAME;
  const password = opts.password ?? DEFAULT_REGISTRY_PASSWORD;
  const dir = await makeTempDir("registry");
  const rootDir = join(dir, "storage");
  let tokenServer: StartedTokenServer | undefined;
  let proc: ManagedProcess | undefined;
  try {
    const port = await freePort();
    let authConfig: RegistryAuthConfig = { kind: "none" };
    if (auth === "htpasswd") {
      const path = join(dir, "htpasswd");
      await writeFile(path, `${username}:${bcrypt.hashSync(password, BCRYPT_COST)}\n`);
      authConfig = { kind: "htpasswd", path };
    } else if (auth === "token") {
      const signing = await createTokenSigningMaterial(dir);
      tokenServer = await startTokenServer({
        port: await freePort(),
        issuer: TOKEN_ISSUER,
        service: TOKEN_SERVICE,
        username,
        password,
        signing,
        responseShape: opts.tokenResponse ?? "both",
      });
      authConfig = { kind: "token", realm: tokenServer.realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootCertBundle: signing.certPath };
    }
    const configPath = join(dir, "config.yml");
    const secret = randomBytes(16).toString("hex");
    await writeFile(configPath, registryConfig({ rootDir, port, secret, auth: authConfig }));
    const url = `http://127.0.0.1:${port}`;
    const launch = (): Promise<ManagedProcess> =>
      spawnServer({ name: "docker-registry", command: binary, args: ["serve", configPath], cwd: dir, ready: () => httpAnswers(`${url}/v2/`) });
    proc = await launch();
    const repoDir = (repo: string): string => join(rootDir, "docker/registry/v2/repositories", repo);
    let stopped = false;
    const ts = tokenServer;
    const started: StartedRegistry = {
      url,
      host: `127.0.0.1:${port}`,
      rootDir,
      auth,
      ...(auth !== "none" ? { username, password } : {}),
      ...(ts ? { tokenRealm: ts.realm } : {}),
      get tokenRequests() {
        return ts ? ts.requests() : 0;
      },
      corruptRevisionLink: async (repo, digest) => {
        await rm(join(repoDir(repo), "_manifests/revisions/sha256", hexOf(digest), "link"));
      },
      deleteBlobData: async (digest) => {
        const hex = hexOf(digest);
        await rm(join(rootDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data"));
      },
      restart: async () => {
        await proc?.stop();
        proc = await launch();
      },
      cpuSeconds: () => processCpuSeconds((proc as ManagedProcess).pid),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await proc?.stop();
        await ts?.stop();
        await removeDir(dir);
      },
    };
    return started;
  } catch (err) {
    await proc?.stop();
    await tokenServer?.stop();
    await removeDir(dir);
    throw err;
  }
}
