// A directory (the registry VM's disk, the NAS mount). The archive is written
// under a hidden temporary name in the same directory, each chunk read back
// and compared as it is written, fsynced, and only then renamed into place;
// `latest` is a relative symlink replaced by rename. Until then the previous archive and latest are never
// touched (field notes: a failed save destroyed the last good tarball).
import { lstat, open, readdir, readlink, rename, rm, stat, symlink, type FileHandle } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readArchiveIdentity } from "./archive-source.js";
import type { CommitResult, Destination, StagedArchive } from "./destination.js";
import { DestinationError } from "./errors.js";
import type { ArchiveResult } from "./fanout.js";
import { fsyncDir, sidecarLine, writeFileDurably } from "./fsutil.js";
import { archiveTagOf, tempName, type ArchiveNames } from "./names.js";
import { selectPrune, type PruneCandidate } from "./prune.js";

/** Bytes read from a candidate's head to learn its archive name. */
const IDENTITY_BYTES = 1024 * 1024;

export class LocalDestination implements Destination {
  constructor(readonly dir: string, readonly label: string = dir) {}

  async stage(names: ArchiveNames): Promise<StagedArchive> {
    const info = await stat(this.dir).catch(() => undefined);
    // Never mkdir -p: an unmounted NAS must fail loudly, not fill the local disk.
    if (!info?.isDirectory()) throw new DestinationError(`${this.dir} does not exist or is not a directory (is the volume mounted?)`);
    const latest = await lstat(join(this.dir, names.latest)).catch(() => undefined);
    if (latest && !latest.isSymbolicLink()) throw new DestinationError(`${join(this.dir, names.latest)} exists and is not a symlink; move it away, breakglass will not replace a real file`);
    const temp = join(this.dir, tempName(names.file));
    // Read and write: every chunk is read back (see LocalStaged.write).
    const fh = await open(temp, "wx+", 0o644);
    return new LocalStaged(this.dir, names, temp, fh);
  }
}

class LocalStaged implements StagedArchive {
  readonly label: string;
  private fh: FileHandle | undefined;
  private written = 0;
  private check = Buffer.alloc(0);

  constructor(private readonly dir: string, private readonly names: ArchiveNames, private readonly temp: string, fh: FileHandle) {
    this.label = dir;
    this.fh = fh;
  }

  /**
   * Write, then read the same bytes straight back and compare them: the copy
   * on disk is verified byte for byte as it is made (a memcmp, not another
   * sha256 pass over the whole file at the end).
   */
  async write(chunk: Buffer): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new DestinationError(`${this.temp} is closed`);
    const at = this.written;
    for (let off = 0; off < chunk.length;) {
      const { bytesWritten } = await fh.write(chunk, off, chunk.length - off, at + off);
      off += bytesWritten;
    }
    if (this.check.length < chunk.length) this.check = Buffer.allocUnsafe(chunk.length);
    let got = 0;
    while (got < chunk.length) {
      const { bytesRead } = await fh.read(this.check, got, chunk.length - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== chunk.length || this.check.compare(chunk, 0, chunk.length, 0, got) !== 0) {
      throw new DestinationError(`${this.temp}: bytes ${at}..${at + chunk.length} read back differ from what was written`);
    }
    this.written += chunk.length;
  }

  async end(): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    await fh.sync();
    this.fh = undefined;
    await fh.close();
  }

  async abort(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }

  async commit(result: ArchiveResult, keep: number): Promise<CommitResult> {
    const { dir, names } = this;
    try {
      // Every byte was compared as it was written; the size closes the last gap.
      const onDisk = await stat(this.temp);
      if (onDisk.size !== result.size || this.written !== result.size) {
        throw new DestinationError(`${this.temp} is ${onDisk.size} bytes on disk (${this.written} written), the archive is ${result.size}`);
      }
      const sidecarTemp = join(dir, tempName(names.sidecar));
      await writeFileDurably(join(dir, names.sidecar), sidecarTemp, sidecarLine(result.sha256, names.file)).catch(async (e: unknown) => {
        await rm(sidecarTemp, { force: true });
        throw e;
      });
      await rename(this.temp, join(dir, names.file));
      await fsyncDir(dir);
    } catch (e) {
      await this.abort();
      throw e;
    }
    await replaceSymlink(dir, names.latest, names.file);
    const pruned = await pruneDirectory(dir, names, keep);
    return { location: join(dir, names.file), pruned };
  }
}

/** Point `link` at `target` (relative, same directory) atomically: temp symlink + rename. */
async function replaceSymlink(dir: string, link: string, target: string): Promise<void> {
  const temp = join(dir, tempName(link));
  await symlink(target, temp);
  try {
    await rename(temp, join(dir, link));
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

/** Delete all but the newest `keep` archives of this name; never latest's targets. */
async function pruneDirectory(dir: string, names: ArchiveNames, keep: number): Promise<string[]> {
  const protect = new Set<string>([names.file]);
  for (const link of [`${names.name}-latest.tar`, `${names.name}-latest.tar.gz`]) {
    const target = await readlink(join(dir, link)).catch(() => undefined);
    if (target !== undefined) protect.add(dirname(target) === "." ? target : basename(target));
  }
  const candidates: PruneCandidate[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith(".") || archiveTagOf(names.name, entry.name) === undefined) continue;
    const path = join(dir, entry.name);
    const identity = await readArchiveIdentity(createReadStream(path, { end: IDENTITY_BYTES - 1 }));
    if (identity !== names.name) continue;
    candidates.push({ file: entry.name, mtimeMs: (await stat(path)).mtimeMs });
  }
  const doomed = selectPrune(candidates, keep, protect);
  for (const file of doomed) {
    await rm(join(dir, file), { force: true });
    await rm(join(dir, `${file}.sha256`), { force: true });
  }
  if (doomed.length > 0) await fsyncDir(dir);
  return doomed;
}
