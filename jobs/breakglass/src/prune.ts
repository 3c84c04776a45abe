// Which archives to delete (pure): keep the newest KEEP of a name, never the
// one `latest` points to or the one just written.

/** An archive found in a destination. */
export interface PruneCandidate {
  file: string;
  mtimeMs: number;
}

/** Files to delete, oldest last-kept first; `protect` is never returned. */
export function selectPrune(candidates: readonly PruneCandidate[], keep: number, protect: ReadonlySet<string>): string[] {
  if (!Number.isInteger(keep) || keep < 1) throw new TypeError("keep must be a positive integer");
  const newestFirst = [...candidates].sort((a, b) => b.mtimeMs - a.mtimeMs || (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
  return newestFirst
    .slice(keep)
    .map((c) => c.file)
    .filter((f) => !protect.has(f));
}
