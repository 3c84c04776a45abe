// The hosts.toml we ship, read by a real containerd 1.6 (the version on the
// nodes' Debian): it must parse and send pulls to the configured endpoint.
// The public name is swapped for a loopback registry:2, so no traffic leaves
// 127.0.0.1; everything else in the file is used as shipped.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDir } from "@regguard/testkit";
import { hasTool, repoRoot } from "../src/index.js";

const tempDir = useTempDir("containerd", afterAll);

const HOSTS_TOML = readFileSync(join(repoRoot(), "manifests/containerd/forgejo.viktorbarzin.me/hosts.toml"), "utf8");
const missing = ["containerd", "ctr", "docker-registry"].filter((t) => !hasTool(t));
const reason =
  missing.length > 0
    ? `needs ${missing.join(", ")} (Debian packages containerd, docker-registry)`
    : process.getuid?.() !== 0
      ? "needs root to start a standalone containerd"
      : undefined;
if (reason) console.warn(`containerd-real.test.ts skipped: ${reason}`);

let dir = "";
let registryPort = 0;
let deadPort = 0;
const procs: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${ms} ms`);
}

function pullWith(hostsToml: string, ns: string): string {
  const hostsDir = join(dir, `hosts-${ns}`);
  mkdirSync(join(hostsDir, `127.0.0.1:${deadPort}`), { recursive: true });
  writeFileSync(join(hostsDir, `127.0.0.1:${deadPort}`, "hosts.toml"), hostsToml);
  const r = spawnSync(
    "ctr",
    ["-a", join(dir, "containerd.sock"), "--debug", "images", "pull", "--hosts-dir", hostsDir, `127.0.0.1:${deadPort}/viktor/app:missing`],
    { encoding: "utf8", timeout: 30_000 },
  );
  return `${r.stdout}${r.stderr}`;
}

describe.skipIf(reason !== undefined)("hosts.toml in a real containerd", () => {
  beforeAll(async () => {
    dir = tempDir();
    [registryPort, deadPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, "registry.yml"),
      [
        "version: 0.1",
        "log: {level: warn, accesslog: {disabled: true}}",
        `storage: {filesystem: {rootdirectory: ${join(dir, "registry")}}, delete: {enabled: true}}`,
        `http: {addr: 127.0.0.1:${registryPort}}`,
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "containerd.toml"),
      `version = 2\nroot = "${join(dir, "root")}"\nstate = "${join(dir, "state")}"\n[grpc]\n  address = "${join(dir, "containerd.sock")}"\n`,
    );
    procs.push(spawn("docker-registry", ["serve", join(dir, "registry.yml")], { stdio: "ignore" }));
    procs.push(spawn("containerd", ["--config", join(dir, "containerd.toml")], { stdio: "ignore" }));
    await until("registry:2", async () => (await fetch(`http://127.0.0.1:${registryPort}/v2/`).catch(() => undefined))?.status === 200);
    await until("containerd", () => existsSync(join(dir, "containerd.sock")) && spawnSync("ctr", ["-a", join(dir, "containerd.sock"), "version"]).status === 0);
  }, 30_000);

  afterAll(() => {
    for (const p of procs) p.kill("SIGTERM");
  });

  it("parses the shipped file and pulls from its endpoint, not the image's own host", () => {
    const local = HOSTS_TOML.replaceAll("https://forgejo.viktorbarzin.me", `http://127.0.0.1:${registryPort}`);
    const settings = local.split("\n").filter((l) => !l.trimStart().startsWith("#"));
    expect(settings.filter((l) => l.includes(`127.0.0.1:${registryPort}`))).toHaveLength(2);
    const out = pullWith(local, "shipped");
    expect(out).not.toMatch(/failed to decode hosts\.toml/);
    expect(out).toMatch(new RegExp(`host="?127\\.0\\.0\\.1:${registryPort}`));
    expect(out).toMatch(/not found/);
    expect(out).not.toMatch(/connection refused/);
  });

  it("shows why the [host] table is there: without it containerd 1.6 ignores the file", () => {
    const noHostTable = HOSTS_TOML.replaceAll("https://forgejo.viktorbarzin.me", `http://127.0.0.1:${registryPort}`).split("\n[host.")[0] as string;
    const out = pullWith(noHostTable, "nohost");
    expect(out).toMatch(/failed to decode hosts\.toml/);
    expect(out).toMatch(/connection refused/);
  });
});
