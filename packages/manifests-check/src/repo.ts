// Paths inside the monorepo, found from this package so tests run from any cwd.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The directory holding pnpm-workspace.yaml, searched upwards from `from`. */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = up;
  }
}

const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", ".turbo", "coverage"]);

/** Files under `dir` whose names end with one of `suffixes`, sorted, absolute; build and VCS folders skipped. */
export function listFiles(dir: string, suffixes: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(p);
      }
      else if (suffixes.some((s) => name.endsWith(s))) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** `path` relative to the repository root, for messages. */
export function rel(path: string, root: string = repoRoot()): string {
  return relative(root, path);
}
