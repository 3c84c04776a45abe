// Temp dirs: each server gets its own directory, removed on stop so runs leave nothing behind.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Creates a fresh dir under the OS temp dir; short prefix keeps unix socket paths under 108 bytes. */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `rg-${prefix}-`));
}

/** Removes a dir tree, ignoring "already gone": stop() must be safe to call twice. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
