// scripts/setup-forgejo-containerd-mirror.sh against a temporary root:
// refuses a node without the certs.d layout, changes nothing on a dry run or
// a second run, backs up what it changes, and never fights a hand-made entry.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTempDir } from "@regguard/testkit";
import { listFiles, repoRoot } from "../src/index.js";

const tempDir = useTempDir("node", afterAll);

const root = repoRoot();
const SCRIPT = join(root, "scripts/setup-forgejo-containerd-mirror.sh");
const HOSTS_TOML = readFileSync(join(root, "manifests/containerd/forgejo.viktorbarzin.me/hosts.toml"), "utf8");
const LINE = "10.0.20.200 forgejo.viktorbarzin.me # regguard: Forgejo registry via in-cluster Traefik LB";
const CONFIG = '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const ETC_HOSTS = "127.0.0.1 localhost\n10.0.20.10 registry.viktorbarzin.me\n";

function node(config: string | null = CONFIG, hosts: string = ETC_HOSTS): string {
  const dir = tempDir();
  mkdirSync(join(dir, "etc/containerd/certs.d/registry.viktorbarzin.me"), { recursive: true });
  if (config !== null) writeFileSync(join(dir, "etc/containerd/config.toml"), config);
  writeFileSync(join(dir, "etc/hosts"), hosts);
  return dir;
}

function run(dir: string, ...args: string[]) {
  const r = spawnSync("bash", [SCRIPT, "--root", dir, ...args], { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// Paths, contents and mtimes: "changes nothing" means none of these moved.
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir, [""]).map((f) => [relative(dir, f), `${statSync(f).mtimeMs}:${readFileSync(f, "utf8")}`]));
}

describe("setup-forgejo-containerd-mirror.sh", () => {
  it("installs hosts.toml and the /etc/hosts line, backing up /etc/hosts first", () => {
    const dir = node();
    const r = run(dir);
    expect(r.status, r.out).toBe(0);
    expect(readFileSync(join(dir, "etc/containerd/certs.d/forgejo.viktorbarzin.me/hosts.toml"), "utf8")).toBe(HOSTS_TOML);
    expect(readFileSync(join(dir, "etc/hosts"), "utf8")).toBe(`${ETC_HOSTS}${LINE}\n`);
    const backups = readdirSync(join(dir, "etc")).filter((f) => f.startsWith("hosts.regguard-backup-"));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, "etc", backups[0] as string), "utf8")).toBe(ETC_HOSTS);
  });

  it("changes nothing on a second run", () => {
    const dir = node();
    expect(run(dir).status).toBe(0);
    const before = snapshot(dir);
    const r = run(dir);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/nothing to change/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("writes nothing on --dry-run and says what it would do", () => {
    const dir = node();
    const before = snapshot(dir);
    const r = run(dir, "--dry-run");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/would write .*hosts\.toml/);
    expect(r.out).toMatch(/would set "10\.0\.20\.200 forgejo\.viktorbarzin\.me/);
    expect(snapshot(dir)).toEqual(before);
  });

  it.each([
    ["no config.toml", null, /config\.toml not found/],
    ["config_path unset", 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors]\n', /does not set config_path = "\/etc\/containerd\/certs\.d"/],
    ["config_path elsewhere", 'config_path = "/etc/docker/certs.d"\n', /found: config_path = "\/etc\/docker\/certs\.d"/],
  ])("refuses a node with %s and changes nothing", (_n, config, why) => {
    const dir = node(config);
    const before = snapshot(dir);
    const r = run(dir);
    expect(r.status).toBe(3);
    expect(r.out).toMatch(why);
    expect(r.out).toMatch(/Nothing changed/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("replaces its own outdated line (new LB address) and keeps exactly one", () => {
    const dir = node(CONFIG, `${ETC_HOSTS}10.0.20.199 forgejo.viktorbarzin.me # regguard: Forgejo registry via in-cluster Traefik LB\n`);
    const r = run(dir);
    expect(r.status, r.out).toBe(0);
    expect(readFileSync(join(dir, "etc/hosts"), "utf8")).toBe(`${ETC_HOSTS}${LINE}\n`);
  });

  it("refuses to touch a mapping it did not write", () => {
    const dir = node(CONFIG, `${ETC_HOSTS}192.168.1.5 forgejo.viktorbarzin.me\n`);
    const before = snapshot(dir);
    const r = run(dir);
    expect(r.status).toBe(3);
    expect(r.out).toMatch(/did not write: "192\.168\.1\.5 forgejo\.viktorbarzin\.me"/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("backs up a changed hosts.toml instead of overwriting it", () => {
    const dir = node();
    mkdirSync(join(dir, "etc/containerd/certs.d/forgejo.viktorbarzin.me"));
    writeFileSync(join(dir, "etc/containerd/certs.d/forgejo.viktorbarzin.me/hosts.toml"), '[host."https://10.0.20.200"]\n');
    expect(run(dir).status).toBe(0);
    const files = readdirSync(join(dir, "etc/containerd/certs.d/forgejo.viktorbarzin.me"));
    const backup = files.find((f) => f.startsWith("hosts.toml.regguard-backup-"));
    expect(backup).toBeDefined();
    expect(readFileSync(join(dir, "etc/containerd/certs.d/forgejo.viktorbarzin.me", backup as string), "utf8")).toBe('[host."https://10.0.20.200"]\n');
  });

  it("exits 2 on unknown arguments", () => {
    const r = spawnSync("bash", [SCRIPT, "--frobnicate"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown argument: --frobnicate/);
  });
});
