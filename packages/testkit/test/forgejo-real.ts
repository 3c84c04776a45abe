// The real half of the contract: the pinned server (forgejo.pin) started two ways with the same cast.
// - as a process (startForgejo in the kit): the default, a second or two to start;
// - as a container made from the same binary on the kit's private dockerd and started with
//   testcontainers' GenericContainer, so "testcontainers against a real Forgejo container" holds.
import { execFile } from "node:child_process";
import { cp, mkdir, realpath, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import {
  forgejoAppIni,
  forgejoBuild,
  FORGEJO_MAIN_SCOPES,
  freePort,
  makeTempDir,
  removeDir,
  requireBinary,
  startDockerd,
  startForgejo,
  type ForgejoBuild,
  type StartedDockerd,
} from "../src/index.js";
import { http } from "./forgejo-raw.js";
import { ORG, OTHER, OWNER, type ContractTarget, type ContractUser } from "./forgejo-target.js";

const run = promisify(execFile);

/** The pinned server as a process on 127.0.0.1, with owner, other, a read-only PAT and the org. */
export async function startProcessTarget(): Promise<ContractTarget> {
  const server = await startForgejo();
  try {
    const owner = await server.createUser(OWNER);
    const other = await server.createUser(OTHER);
    const ownerReadOnlyToken = await server.createToken(OWNER, ["read:package"]);
    await server.createOrg(ORG, OWNER);
    return { url: server.url, flavour: server.build.flavour, owner, other, ownerReadOnlyToken, org: ORG, stop: () => server.stop() };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

const IMAGE = "regguard/forgejo-test:local";
const CONFIG = "/etc/server/app.ini";
const BASE = "regguard/node-base:local";
const ROOT = join(import.meta.dirname, "..", "..", "..");

/** This machine's `git` and the shared libraries it links, at the same paths under `root`. */
async function copyGit(root: string): Promise<void> {
  const git = requireBinary("git");
  const { stdout } = await run("ldd", [git]);
  const libs = [...stdout.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1]!);
  for (const file of [git, ...libs]) {
    await mkdir(join(root, dirname(file)), { recursive: true });
    await cp(await realpath(file), join(root, file));
  }
}

/**
 * The image: the local base (images/make-local-base.sh: nothing can be pulled here), the cache
 * entry, and git, which the server runs at start-up (routers/init.go: git.InitFull).
 */
async function buildImage(dockerd: StartedDockerd, build: ForgejoBuild): Promise<void> {
  await run(join(ROOT, "images", "make-local-base.sh"), [BASE, dockerd.socket], { timeout: 120_000 });
  const ctx = await makeTempDir("forgejo-image");
  try {
    await cp(build.dir, join(ctx, "server"), { recursive: true });
    await copyGit(join(ctx, "rootfs"));
    await writeFile(
      join(ctx, "Dockerfile"),
      [`FROM ${BASE}`, "COPY rootfs/ /", "COPY --chown=1000:1000 server /opt/server", "USER 1000:1000", 'ENTRYPOINT ["/opt/server/bin/server"]', ""].join("\n"),
    );
    const res = await dockerd.docker(["build", "-q", "-t", IMAGE, ctx]);
    if (res.code !== 0) throw new Error(`docker build of ${IMAGE} failed: ${res.stderr.slice(0, 500)}`);
  } finally {
    await removeDir(ctx);
  }
}

async function cliIn(c: StartedTestContainer, args: string[]): Promise<string> {
  const r = await c.exec(["/opt/server/bin/server", "--config", CONFIG, "--work-path", "/data", "admin", ...args]);
  if (r.exitCode !== 0) throw new Error(`admin ${args.slice(0, 2).join(" ")} failed (${r.exitCode}): ${(r.stderr || r.stdout).slice(0, 300)}`);
  return r.stdout.trim().split("\n").pop()!.trim();
}

async function userIn(c: StartedTestContainer, login: string): Promise<ContractUser> {
  const password = `${login}-Passw0rd!`;
  await cliIn(c, ["user", "create", "--username", login, "--password", password, "--email", `${login}@example.invalid`, "--must-change-password=false"]);
  const token = await cliIn(c, [
    "user",
    "generate-access-token",
    "--username",
    login,
    "--token-name",
    `${login}-main`,
    "--scopes",
    FORGEJO_MAIN_SCOPES.join(","),
    "--raw",
  ]);
  return { login, password, token };
}

/** The same server in a container (host network: the kit's dockerd has no bridge), same cast. */
export async function startContainerTarget(): Promise<ContractTarget> {
  const build = forgejoBuild();
  const dockerd = await startDockerd();
  let container: StartedTestContainer | undefined;
  const output: string[] = [];
  try {
    await buildImage(dockerd, build);
    // testcontainers reads these once, at its first call: this file is its only user in the run.
    process.env.DOCKER_HOST = `unix://${dockerd.socket}`;
    process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
    process.env.TESTCONTAINERS_HOST_OVERRIDE = "127.0.0.1";
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    container = await new GenericContainer(IMAGE)
      .withNetworkMode("host")
      // The config is copied in before start; the work path is a tmpfs the server's user can write.
      .withCopyContentToContainer([
        { content: forgejoAppIni({ dir: "/data", port, static: "/opt/server", runUser: "node", logLevel: "Info" }), target: CONFIG, mode: 0o644 },
      ])
      .withTmpFs({ "/data": "rw,mode=1777" })
      .withCommand(["--config", CONFIG, "--work-path", "/data", "web"])
      // Host network: no mapped port for an HTTP wait strategy to use, so wait for the log line.
      .withWaitStrategy(Wait.forLogMessage(/Listen: http:\/\//))
      .withLogConsumer((stream) => stream.on("data", (b: Buffer | string) => output.push(String(b))))
      .withStartupTimeout(120_000)
      .start();
    const started = container;
    for (let i = 0; i < 100 && (await http("GET", `${url}/api/healthz`).catch(() => ({ status: 0 }))).status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const owner = await userIn(started, OWNER);
    const other = await userIn(started, OTHER);
    const ownerReadOnlyToken = await cliIn(started, [
      "user",
      "generate-access-token",
      "--username",
      OWNER,
      "--token-name",
      "ro",
      "--scopes",
      "read:package",
      "--raw",
    ]);
    const setupToken = await cliIn(started, [
      "user",
      "generate-access-token",
      "--username",
      OWNER,
      "--token-name",
      "org",
      "--scopes",
      "write:organization,write:user",
      "--raw",
    ]);
    // POST /orgs as `owner` makes it the org's creator, i.e. in its Owners team.
    const org = await http("POST", `${url}/api/v1/orgs`, {
      headers: { authorization: `token ${setupToken}`, "content-type": "application/json" },
      body: JSON.stringify({ username: ORG, visibility: "public" }),
    });
    if (org.status !== 201) throw new Error(`creating org ${ORG}: ${org.status} ${org.text.slice(0, 200)}`);
    return {
      url,
      flavour: build.flavour,
      owner,
      other,
      ownerReadOnlyToken,
      org: ORG,
      stop: async () => {
        await started.stop();
        await dockerd.stop();
      },
    };
  } catch (e) {
    await container?.stop().catch(() => undefined);
    await dockerd.stop();
    throw new Error(`${build.label} in a container did not start: ${(e as Error).message}\n${output.join("").slice(-2000)}`, { cause: e });
  }
}
