// A directory (the registry VM's disk, the NAS mount). The archive is written
// under a hidden temporary name in the same directory, fsynced and closed,
// then re-opened and hashed whole against what was streamed, and only then
// renamed into place; `latest` is a relative symlink replaced by rename. Until
// then the previous archive and latest are never touched (docs/design.md, B2: a
// failed save destroyed the last good tarball).
import { lstat, open, readdir, readlink, rename, rm, stat, symlink, type FileHandle } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Logger } from "@regguard/job-runtime";
import { readArchiveIdentity } from "./archive-source.js";
import type { CommitResult, Destination, StagedArchive } from "./destination.js";
import { DestinationError, reason } from "./errors.js";
import type { ArchiveResult } from "./fanout.js";
import { fsyncDir, sidecarLine, writeFileSynced } from "./fsutil.js";
import { archiveTagOf, tempName, tempTarget, type ArchiveNames } from "./names.js";
import { selectPrune, type PruneCandidate } from "./prune.js";
import { StreamHash } from "./stream-hash.js";

/** Bytes read from a candidate's head to learn its archive name. */
const IDENTITY_BYTES = 1024 * 1024;
/** Read size of the verification pass: one reused buffer, so memory stays flat. */
const VERIFY_CHUNK = 1024 * 1024;
/**
 * A temporary file older than this was left by a save that was killed
 * (SIGKILL, OOM): no save runs for hours, and a live one touches its file on
 * every write.
 */
export const STALE_TEMP_MS = 6 * 60 * 60 * 1000;

export class LocalDestination implements Destination {
  constructor(
    readonly dir: string,
    readonly label: string = dir,
    private readonly log?: Logger,
  ) {}

  async stage(names: ArchiveNames): Promise<StagedArchive> {
    const info = await stat(this.dir).catch(() => undefined);
    // Never mkdir -p: an unmounted NAS must fail loudly, not fill the local disk.
    if (!info?.isDirectory()) throw new DestinationError(`${this.dir} does not exist or is not a directory (is the volume mounted?)`);
    const latest = await lstat(join(this.dir, names.latest)).catch(() => undefined);
    if (latest && !latest.isSymbolicLink())
      throw new DestinationError(`${join(this.dir, names.latest)} exists and is not a symlink; move it away, breakglass will not replace a real file`);
    await this.removeStaleTemps(names.name);
    const temp = join(this.dir, tempName(names.file));
    const fh = await open(temp, "wx", 0o644);
    return new LocalStaged(this.dir, names, temp, fh, (leftover) => removeTemps(this.dir, this.label, this.log, leftover));
  }

  /**
   * Pruning only looks at finished archives, so an archive-sized temporary
   * file of a killed save would stay forever. Only this series' names and only
   * old ones: another save into the same directory may be running right now.
   */
  private async removeStaleTemps(name: string): Promise<void> {
    const now = Date.now();
    // Stryker disable next-line EqualityOperator: >= and > differ only at exactly six hours, to the millisecond.
    await removeTemps(this.dir, this.label, this.log, (target, modifiedMs) => target.startsWith(`${name}-`) && now - modifiedMs >= STALE_TEMP_MS);
  }
}

/** Which temporary files to remove: by the file they stand for and their mtime. */
type TempMatch = (target: string, modifiedMs: number) => boolean;

/** Remove our temporary files in `dir` that `match`, logging each; a failure to remove is a warning. */
async function removeTemps(dir: string, label: string, log: Logger | undefined, match: TempMatch): Promise<void> {
  for (const entry of await readdir(dir)) {
    const target = tempTarget(entry);
    if (target === undefined) continue;
    const path = join(dir, entry);
    const info = await lstat(path).catch(() => undefined);
    if (!info || info.isDirectory() || !match(target, info.mtimeMs)) continue;
    try {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: the file was just lstat'ed; without force a concurrent removal is the catch's warning.
      await rm(path, { force: true });
      // Stryker disable next-line OptionalChaining: without a logger the mutant throws into the catch, which logs nothing either.
      log?.warn("removed a temporary file left by an interrupted save", {
        destination: label,
        file: entry,
        size: info.size,
        modified: info.mtime.toISOString(),
      });
    } catch (e) {
      log?.warn("cannot remove a stale temporary file", { destination: label, file: entry, error: reason(e) });
    }
  }
}

class LocalStaged implements StagedArchive {
  readonly label: string;
  private fh: FileHandle | undefined;
  private written = 0;

  constructor(
    private readonly dir: string,
    private readonly names: ArchiveNames,
    private readonly temp: string,
    fh: FileHandle,
    private readonly removeLeftovers: (match: TempMatch) => Promise<void>,
  ) {
    this.label = dir;
    this.fh = fh;
  }

  async write(chunk: Buffer): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new DestinationError(`${this.temp} is closed`);
    for (let off = 0; off < chunk.length;) {
      // Stryker disable next-line ArithmeticOperator: a regular file takes the whole chunk at once on Linux, so off stays 0.
      const { bytesWritten } = await fh.write(chunk, off, chunk.length - off, this.written + off);
      off += bytesWritten;
    }
    this.written += chunk.length;
  }

  /** fsync and close: an NFS client flushes on close, so errors the server reports surface here. */
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
    const sidecar = join(dir, names.sidecar);
    const sidecarTemp = join(dir, tempName(names.sidecar));
    try {
      await this.verify(result);
      await writeFileSynced(sidecarTemp, sidecarLine(result.sha256, names.file));
      // Archive first, sidecar second: a crash between the two renames leaves
      // the new archive under its name next to no sidecar (a new tag) or, when
      // the same file name is saved again with different bytes (a moved tag),
      // next to the previous sidecar until the next save. The other order
      // would pair the previous, still-valid archive with a sidecar that does
      // not match it. latest moves only after both.
      await rename(this.temp, join(dir, names.file));
      await rename(sidecarTemp, sidecar);
      await fsyncDir(dir);
    } catch (e) {
      await rm(sidecarTemp, { force: true });
      await this.abort();
      throw e;
    }
    await replaceSymlink(dir, names.latest, names.file);
    // A killed save of this very archive name left its temporaries; this save has just replaced
    // what they were for, so they go now whatever their age (issue 12), not six hours later. Our
    // own temps are renamed away by now. Other names' temps, and `latest`'s (shared by every tag
    // of the series), may belong to a save running right now: they wait for the stale age.
    const own = new Set([names.file, names.sidecar]);
    await this.removeLeftovers((target) => own.has(target));
    const pruned = await pruneDirectory(dir, names, keep);
    return { location: join(dir, names.file), pruned };
  }

  /**
   * Re-open the closed temp file and hash every byte against what was
   * streamed. On NFS, close-to-open consistency makes the client revalidate
   * with the server on open; it may still serve pages it cached itself, which
   * is as close to the server's copy as a client can read.
   */
  private async verify(expected: ArchiveResult): Promise<void> {
    const fh = await open(this.temp, "r");
    const hash = new StreamHash();
    const buf = Buffer.allocUnsafe(VERIFY_CHUNK);
    let size = 0;
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, size);
        if (bytesRead === 0) break;
        // update() has copied the bytes into its ring when it resolves, so buf can be reused.
        await hash.update(buf.subarray(0, bytesRead));
        size += bytesRead;
      }
    } catch (e) {
      await hash.cancel();
      throw e;
    } finally {
      await fh.close();
    }
    const got = await hash.digest();
    // Stryker disable next-line ConditionalExpression: bytes of another size never hash to the expected sha256.
    if (got.size !== expected.size || got.sha256 !== expected.sha256) {
      throw new DestinationError(
        `${this.temp} reads back as ${got.size} bytes sha256:${got.sha256} (${this.written} written), expected ${expected.size} bytes sha256:${expected.sha256}`,
      );
    }
  }
}

/** Point `link` at `target` (relative, same directory) atomically: temp symlink + rename. */
async function replaceSymlink(dir: string, link: string, target: string): Promise<void> {
  const temp = join(dir, tempName(link));
  await symlink(target, temp);
  try {
    await rename(temp, join(dir, link));
  } catch (e) {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the temporary link was made two lines up.
    await rm(temp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

/** Delete all but the newest `keep` archives of this name; never latest's targets. */
async function pruneDirectory(dir: string, names: ArchiveNames, keep: number): Promise<string[]> {
  const protect = new Set<string>([names.file]);
  // Our own latest already points at names.file (it moves before pruning); the other series' latest
  // is what this protects. A relative target and its basename are the same name.
  // Stryker disable next-line StringLiteral: see above.
  for (const link of [`${names.name}-latest.tar`, `${names.name}-latest.tar.gz`]) {
    const target = await readlink(join(dir, link)).catch(() => undefined);
    // Stryker disable next-line ConditionalExpression,StringLiteral: see above.
    if (target !== undefined) protect.add(dirname(target) === "." ? target : basename(target));
  }
  const candidates: PruneCandidate[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // Files only: the identity read below would block for ever on a FIFO named like an archive.
    // (A hidden file never matches archiveTagOf, whose names start with the series' own.)
    if (!entry.isFile() || archiveTagOf(names.name, entry.name) === undefined) continue;
    const path = join(dir, entry.name);
    // Stryker disable next-line ObjectLiteral,ArithmeticOperator: the bound caps the read; the identity is in the first entries either way.
    const identity = await readArchiveIdentity(createReadStream(path, { end: IDENTITY_BYTES - 1 }));
    if (identity !== names.name) continue;
    candidates.push({ file: entry.name, mtimeMs: (await stat(path)).mtimeMs });
  }
  const doomed = selectPrune(candidates, keep, protect);
  for (const file of doomed) {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the archive was just listed (its sidecar may be missing: that rm keeps force, tested).
    await rm(join(dir, file), { force: true });
    await rm(join(dir, `${file}.sha256`), { force: true });
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a directory fsync is durability across power loss, which no test observes.
  if (doomed.length > 0) await fsyncDir(dir);
  return doomed;
}
