// Every external binary the kit runs, pinned to the Debian package that provides it (one place to read).
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { BinaryMissingError } from "./errors.js";

/** Binary name -> Debian package: the error for a missing binary tells you what to apt-get install. */
export const BINARIES: Readonly<Record<string, string>> = {
  "docker-registry": "docker-registry",
  "prometheus-pushgateway": "prometheus-pushgateway",
  promtool: "prometheus",
  containerd: "containerd",
  ctr: "containerd",
  dockerd: "docker.io",
  docker: "docker.io",
  skopeo: "skopeo",
  htpasswd: "apache2-utils",
  openssl: "openssl",
  git: "git",
  sqlite3: "sqlite3",
  etcd: "etcd-server",
  kubectl: "kubectl",
};

/** Where to look: defaults to this process's PATH; tests pass their own to simulate a bare machine. */
export interface BinaryLookupOptions {
  path?: string;
}

/** Absolute path of `name` on PATH, or undefined: the lookup behind hasBinary/requireBinary. */
export function findBinary(name: string, opts: BinaryLookupOptions = {}): string | undefined {
  const dirs = (opts.path ?? process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: keep looking along PATH.
    }
  }
  return undefined;
}

/** True when `name` is an executable on PATH: lets tests skip (with a reason) instead of failing. */
export function hasBinary(name: string, opts: BinaryLookupOptions = {}): boolean {
  return findBinary(name, opts) !== undefined;
}

/** Absolute path of `name`, or a BinaryMissingError naming the apt package to install. */
export function requireBinary(name: string, opts: BinaryLookupOptions = {}): string {
  const found = findBinary(name, opts);
  if (found !== undefined) return found;
  const pkg = BINARIES[name];
  const hint =
    pkg !== undefined
      ? `install the Debian package "${pkg}" (apt-get install ${pkg})`
      : `no Debian package is known for it (add it to packages/testkit/src/binaries.ts)`;
  throw new BinaryMissingError(name, `${name} not found on PATH: ${hint}`);
}
