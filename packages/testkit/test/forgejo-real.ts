// A real Forgejo in a container (testcontainers, host network) with the contract suite's cast.
// Runs only when a Docker daemon answers and the image is local or FORGEJO_IMAGE names one;
// never pulls the default image from the internet.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import { http } from "./forgejo-raw.js";
import { ORG, OTHER, OWNER, type ContractTarget, type ContractUser } from "./forgejo-target.js";

export const FORGEJO_IMAGE = process.env.FORGEJO_IMAGE ?? "codeberg.org/forgejo/forgejo:11";
const SCOPES = "write:package,read:user,read:organization";

/** Why the real half cannot run here, or undefined when it can. */
export async function realForgejoSkipReason(): Promise<string | undefined> {
  const socket = process.env.DOCKER_HOST ?? (existsSync("/var/run/docker.sock") ? "unix:///var/run/docker.sock" : undefined);
  if (!socket) return "no Docker daemon (no DOCKER_HOST, no /var/run/docker.sock)";
  if (process.env.FORGEJO_IMAGE) return undefined; // explicitly asked for: testcontainers may pull it
  try {
    await promisify(execFile)("docker", ["image", "inspect", FORGEJO_IMAGE], { timeout: 10_000 });
    return undefined;
  } catch {
    return `image ${FORGEJO_IMAGE} is not present locally and FORGEJO_IMAGE is not set (never pulled implicitly)`;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function forgejo(c: StartedTestContainer, args: string[]): Promise<string> {
  const r = await c.exec(["forgejo", ...args], { user: "git" });
  if (r.exitCode !== 0) throw new Error(`forgejo ${args.slice(0, 3).join(" ")} failed (${r.exitCode}): ${r.stderr.slice(0, 300)}`);
  return r.stdout.trim();
}

async function createUser(c: StartedTestContainer, login: string, admin = false): Promise<ContractUser> {
  const password = `${login}-Passw0rd!`;
  const flags = ["admin", "user", "create", "--username", login, "--password", password, "--email", `${login}@example.invalid`, "--must-change-password=false"];
  await forgejo(c, admin ? [...flags, "--admin"] : flags);
  const token = await forgejo(c, ["admin", "user", "generate-access-token", "--username", login, "--token-name", `${login}-main`, "--scopes", SCOPES, "--raw"]);
  return { login, password, token: token.split("\n").pop()!.trim() };
}

/** Starts the container, creates owner/other/admin, a read-only PAT and the org (owner in its Owners team). */
export async function startRealTarget(): Promise<ContractTarget> {
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const container = await new GenericContainer(FORGEJO_IMAGE)
    .withNetworkMode("host")
    .withEnvironment({
      USER_UID: "1000",
      USER_GID: "1000",
      SSH_LISTEN_PORT: String(await freePort()),
      FORGEJO__security__INSTALL_LOCK: "true",
      FORGEJO__database__DB_TYPE: "sqlite3",
      FORGEJO__server__HTTP_ADDR: "127.0.0.1",
      FORGEJO__server__HTTP_PORT: String(port),
      FORGEJO__server__ROOT_URL: `${url}/`,
      FORGEJO__server__DISABLE_SSH: "true",
      FORGEJO__server__START_SSH_SERVER: "false",
      FORGEJO__packages__ENABLED: "true",
      FORGEJO__service__DISABLE_REGISTRATION: "true",
      FORGEJO__cron_0x2E_update_checker__ENABLED: "false",
    })
    // Both lines are Info level: keep the default log level or the wait never ends.
    .withWaitStrategy(Wait.forLogMessage(/Starting new Web server|Listen: http/))
    .withStartupTimeout(120_000)
    .start();
  for (let i = 0; i < 100 && (await http("GET", `${url}/api/healthz`).catch(() => ({ status: 0 }))).status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const admin = await createUser(container, "regguard-admin", true);
  const owner = await createUser(container, OWNER);
  const other = await createUser(container, OTHER);
  const ownerReadOnlyToken = (
    await forgejo(container, ["admin", "user", "generate-access-token", "--username", OWNER, "--token-name", "ro", "--scopes", "read:package", "--raw"])
  ).split("\n").pop()!.trim();
  const setupToken = (
    await forgejo(container, ["admin", "user", "generate-access-token", "--username", admin.login, "--token-name", "setup", "--scopes", "all", "--raw"])
  ).split("\n").pop()!.trim();
  // POST /admin/users/{owner}/orgs makes `owner` the org's creator, i.e. in its Owners team.
  const orgRes = await http("POST", `${url}/api/v1/admin/users/${OWNER}/orgs`, {
    headers: { authorization: `token ${setupToken}`, "content-type": "application/json" },
    body: JSON.stringify({ username: ORG, visibility: "public" }),
  });
  if (orgRes.status !== 201) throw new Error(`creating org ${ORG}: ${orgRes.status} ${orgRes.text.slice(0, 200)}`);
  return { url, owner, ownerReadOnlyToken, other, org: ORG, stop: async () => void (await container.stop()) };
}
