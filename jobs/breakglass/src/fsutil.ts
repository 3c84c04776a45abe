// Durable file-system steps: fsync a directory so renames survive a crash,
// hash a file by re-reading it.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
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

/** sha256 (hex) and size of a file, read back from disk. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
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
