// Temp dirs: each server gets its own directory, removed on stop so runs leave nothing behind.
import { mkdtempSync } from "node:fs";
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

/** The hook a test file registers cleanups with: vitest's `afterAll` (or `afterEach`). */
export type CleanupHook = (fn: () => Promise<void>) => void;

/**
 * Temp dirs for one test file that clean up after themselves: `const tempDir =
 * useTempDir("bg", afterAll)` once at the top, then `tempDir()` wherever a test needs a fresh
 * directory (synchronous, so plain helpers can call it too); every one made is removed by the hook. The hook is passed in rather than
 * imported so the test kit does not load vitest into the demo and the benches that use it.
 */
export function useTempDir(prefix: string, cleanup: CleanupHook): (label?: string) => string {
  const made: string[] = [];
  cleanup(async () => {
    await Promise.all(made.splice(0).map(removeDir));
  });
  return (label?: string) => {
    const dir = mkdtempSync(join(tmpdir(), `rg-${label ? `${prefix}-${label}` : prefix}-`));
    made.push(dir);
    return dir;
  };
}
