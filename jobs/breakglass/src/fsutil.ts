// Durable file-system steps: fsync a directory so renames survive a crash,
// small files written by temp + fsync + rename, the sha256sum sidecar format.
import { open, rename } from "node:fs/promises";

/** fsync a directory, making renames and new names in it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write a small file durably: temp name, fsync, rename. */
export async function writeFileDurably(path: string, temp: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(temp, "wx", 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, path);
}

/** The `sha256sum` line for a file, so `sha256sum -c` works in the runbook. */
export function sidecarLine(sha256: string, file: string): string {
  return `${sha256}  ${file}\n`;
}

/** The hex digest in a sidecar, or undefined if it is not sha256sum format. */
export function parseSidecar(text: string): string | undefined {
  return /^([a-f0-9]{64})\s/.exec(text)?.[1];
}
