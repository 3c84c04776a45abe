// The node-side redirect: TOML that parses, a hosts.toml that keeps the
// registry's name (the bare-IP mirror incident), and cloud-init and the setup
// script installing exactly the same thing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listFiles, rel, repoRoot } from "../src/index.js";

const root = repoRoot();
const HOSTS_TOML = join(root, "manifests/containerd/forgejo.viktorbarzin.me/hosts.toml");
const SCRIPT = join(root, "scripts/setup-forgejo-containerd-mirror.sh");

interface HostsToml {
  server?: string;
  capabilities?: string[];
  skip_verify?: boolean;
  host?: Record<string, { capabilities?: string[]; skip_verify?: boolean; header?: unknown }>;
}

describe("containerd configuration", () => {
  it("every TOML file under manifests/ parses", () => {
    const files = listFiles(join(root, "manifests"), [".toml"]);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(() => parseToml(readFileSync(f, "utf8")), rel(f)).not.toThrow();
  });

  it("hosts.toml keeps the name forgejo.viktorbarzin.me for every endpoint, pull/resolve only, TLS verified", () => {
    const t = parseToml(readFileSync(HOSTS_TOML, "utf8")) as HostsToml;
    expect(t.server).toBe("https://forgejo.viktorbarzin.me");
    // containerd 1.6 ignores a hosts.toml without a [host] table.
    const hosts = Object.keys(t.host ?? {});
    expect(hosts.length).toBeGreaterThan(0);
    for (const h of hosts) {
      // A bare-IP mirror sends no SNI and Host: <ip>; Traefik answered 404.
      expect(new URL(h).hostname, h).toBe("forgejo.viktorbarzin.me");
      expect(t.host?.[h]?.capabilities).toEqual(["pull", "resolve"]);
      expect(t.host?.[h]?.skip_verify).toBeUndefined();
    }
    expect(t.capabilities).toEqual(["pull", "resolve"]);
    expect(t.skip_verify).toBeUndefined();
  });

  it("cloud-init writes the same hosts.toml and the same /etc/hosts line as the setup script", () => {
    const ci = parse(readFileSync(join(root, "manifests/containerd/cloud-init.yaml"), "utf8")) as {
      write_files: Array<{ path: string; content: string; append?: boolean }>;
    };
    const toml = ci.write_files.find((f) => f.path === "/etc/containerd/certs.d/forgejo.viktorbarzin.me/hosts.toml");
    expect(toml?.content).toBe(readFileSync(HOSTS_TOML, "utf8"));
    const hostsLine = ci.write_files.find((f) => f.path === "/etc/hosts");
    expect(hostsLine?.append).toBe(true);
    const script = readFileSync(SCRIPT, "utf8");
    const ip = /^readonly LB_IP="([^"]+)"$/m.exec(script)?.[1];
    const marker = /^readonly MARKER="([^"]+)"$/m.exec(script)?.[1];
    expect(hostsLine?.content).toBe(`${ip} forgejo.viktorbarzin.me ${marker}\n`);
    expect(ip).toBe("10.0.20.200");
  });
});
