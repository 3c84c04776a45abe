// Paths inside the monorepo, found from this package so tests run from any cwd.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
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
      } else if (suffixes.some((s) => name.endsWith(s))) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const SHELL_SHEBANG = /^#!\s*(\/usr\/bin\/env\s+)?(\/usr)?(\/bin\/)?(bash|sh)(\s|$)/;

/**
 * Shell scripts under `dir`: every *.sh, and extensionless files whose first
 * line is a bash or sh shebang (entry points such as .ci/run carry no
 * extension and would otherwise escape shellcheck).
 */
export function listShellScripts(dir: string): string[] {
  return listFiles(dir, [""]).filter((p) => p.endsWith(".sh") || (!basename(p).includes(".") && SHELL_SHEBANG.test(firstLine(p))));
}

function firstLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(128);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8").split("\n")[0] ?? "";
  } finally {
    closeSync(fd);
  }
}

/** `path` relative to the repository root, for messages. */
export function rel(path: string, root: string = repoRoot()): string {
  return relative(root, path);
}
