// Durable file-system steps: fsync a directory so renames survive a crash,
// small files written and fsynced under a temporary name, the sha256sum sidecar format.
import { open } from "node:fs/promises";

/** fsync a directory, making renames and new names in it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Create a small file (a temporary name: the caller renames it) and fsync it. */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, "wx", 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The `sha256sum` line for a file, so `sha256sum -c` works in the runbook. */
export function sidecarLine(sha256: string, file: string): string {
  return `${sha256}  ${file}\n`;
}

/** The hex digest in a sidecar, or undefined if it is not sha256sum format. */
export function parseSidecar(text: string): string | undefined {
  return /^([a-f0-9]{64})\s/.exec(text)?.[1];
}
