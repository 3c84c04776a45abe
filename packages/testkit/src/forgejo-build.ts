// Where scripts/forgejo.sh left the real Forgejo-family server: the pin (packages/testkit/forgejo.pin)
// names module and version, the cache entry is keyed by both. One reader of the pin for the kit.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildCacheRoot, readPinFile } from "./pin-file.js";

/** Which server the pin builds: Forgejo itself, or Gitea (its upstream) when no Forgejo can be built. */
export type ForgejoFlavour = "forgejo" | "gitea";

/** The pinned build: what to build and where its cache entry lives. */
export interface ForgejoBuild {
  flavour: ForgejoFlavour;
  module: string;
  version: string;
  /** The cache entry: bin/server, templates/, options/, built.json. */
  dir: string;
  binary: string;
  /** "Gitea v1.27.3": what test titles and messages call it. */
  label: string;
}

const PIN = join(import.meta.dirname, "..", "forgejo.pin");

/** The pinned build and its cache entry (the same path scripts/forgejo.sh writes). */
export function forgejoBuild(env: NodeJS.ProcessEnv = process.env): ForgejoBuild {
  const pin = readPinFile(PIN);
  const module = pin.MODULE ?? "";
  const version = pin.VERSION ?? "";
  if (module === "" || version === "") throw new Error(`${PIN} must set MODULE and VERSION`);
  const flavour: ForgejoFlavour = pin.FLAVOUR === "gitea" ? "gitea" : "forgejo";
  const dir = join(buildCacheRoot(env), "forgejo", `${module.replaceAll("/", "_")}@${version}`);
  const label = `${flavour === "gitea" ? "Gitea" : "Forgejo"} ${version}`;
  return { flavour, module, version, dir, binary: join(dir, "bin", "server"), label };
}

/** Why the built server cannot be run here, or undefined when it can. */
export function forgejoMissingReason(build: ForgejoBuild = forgejoBuild()): string | undefined {
  if (!existsSync(build.binary) || !existsSync(join(build.dir, "built.json"))) {
    return `${build.label} is not built (no ${build.binary}): run scripts/forgejo.sh (scripts/setup.sh does)`;
  }
  return undefined;
}
