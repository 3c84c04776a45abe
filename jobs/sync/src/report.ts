// Exit codes and the closing line, decided here and nowhere else.
import { EXIT } from "@regguard/job-runtime";
import type { SyncCommand } from "./config.js";
import { count, notInParity, type SyncTally } from "./tally.js";

/**
 * 0 done (check: full parity); 1 drift, missing or broken tags, failed copies, name collisions;
 * 2 configuration error; 3 incomplete run (the source could not be listed, a tag could not be
 * looked at, the metrics push failed, or a bug); 130 stopped by SIGTERM/SIGINT.
 */
export const SYNC_EXIT = { ok: EXIT.ok, differences: EXIT.failed, config: EXIT.config, incomplete: EXIT.incomplete, stopped: EXIT.stopped } as const;

export function exitCode(command: SyncCommand, t: SyncTally, pushed: boolean): number {
  if (t.stopped) return SYNC_EXIT.stopped;
  if (t.inventoryError !== undefined || !pushed) return SYNC_EXIT.incomplete;
  // A failed tag in check or repair is one nobody could look at; in copy it is a copy that failed.
  if (count(t, "failed") > 0) return command === "copy" ? SYNC_EXIT.differences : SYNC_EXIT.incomplete;
  if (t.collisions > 0) return SYNC_EXIT.differences;
  if (command === "copy") return count(t, "drift_kept") > 0 ? SYNC_EXIT.differences : SYNC_EXIT.ok;
  if (command === "check") return notInParity(t) > 0 ? SYNC_EXIT.differences : SYNC_EXIT.ok;
  return count(t, "still_broken") + count(t, "would_repair") > 0 ? SYNC_EXIT.differences : SYNC_EXIT.ok;
}

/** `Sync check complete: 398 of 400 tags in parity (1 missing, 1 drifted, 0 broken)` */
export function summaryLine(command: SyncCommand, t: SyncTally, dryRun: boolean): string {
  const s = t.states;
  const states = `${s.in_parity} of ${t.tags} tags in parity (${s.missing} missing, ${s.drifted} drifted, ${s.broken} broken)`;
  const mode = command !== "check" && dryRun ? " (dry run)" : "";
  if (command === "copy") {
    const copied = dryRun
      ? `${count(t, "would_copy") + count(t, "would_overwrite")} to copy, ${t.bytesMissing} bytes to move`
      : `${count(t, "copied") + count(t, "overwritten")} copied, ${t.bytesUploaded} bytes moved`;
    return `Sync copy complete${mode}: ${copied}; before: ${states}`;
  }
  if (command === "repair")
    return `Sync repair complete${mode}: ${count(t, dryRun ? "would_repair" : "repaired")} ${dryRun ? "to repair" : "repaired"}, ${count(t, "still_broken")} still broken; before: ${states}`;
  return `Sync check complete: ${states}`;
}
