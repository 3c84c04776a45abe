// Progress for long transfers: one rewritten line on a terminal, JSON lines
// (at most every few seconds) otherwise, so CI logs stay readable.
import type { Logger } from "@regguard/job-runtime";

/** Terminal redraws at most this often. */
const TTY_INTERVAL_MS = 250;
/** JSON progress lines at most this often. */
const LOG_INTERVAL_MS = 10_000;

export interface ProgressOptions {
  log: Logger;
  /** Total bytes when known. */
  total?: number;
  /** A terminal stream for the progress line; JSON lines when absent or not a TTY. */
  tty?: { isTTY?: boolean; write(s: string): unknown };
  label: string;
}

/** Counts bytes and reports them. */
export class Progress {
  private bytes = 0;
  private readonly started = Date.now();
  private last = Date.now();
  private readonly tty: ProgressOptions["tty"];

  constructor(private readonly opts: ProgressOptions) {
    this.tty = opts.tty?.isTTY ? opts.tty : undefined;
  }

  add(n: number): void {
    this.bytes += n;
    const now = Date.now();
    if (now - this.last < (this.tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS)) return;
    this.last = now;
    this.report(false);
  }

  /** The transfer was aborted: say so, never "transfer finished". */
  stopped(error: unknown): void {
    if (this.tty) this.tty.write("\n");
    this.opts.log.warn("transfer stopped", {
      bytes: this.bytes,
      bytesPerSecond: Math.round(this.rate()),
      error: error instanceof Error ? error.message : String(error),
    });
  }

  /** Final line; returns the average rate in bytes per second. */
  done(): number {
    this.report(true);
    return this.rate();
  }

  private rate(): number {
    return this.bytes / Math.max(0.001, (Date.now() - this.started) / 1000);
  }

  private report(final: boolean): void {
    const { total } = this.opts;
    if (this.tty) {
      const of = total ? ` / ${formatBytes(total)} (${Math.floor((100 * this.bytes) / total)}%)` : "";
      this.tty.write(`\r${this.opts.label}: ${formatBytes(this.bytes)}${of}  ${formatBytes(this.rate())}/s   ${final ? "\n" : ""}`);
      return;
    }
    this.opts.log.info(final ? "transfer finished" : "progress", {
      bytes: this.bytes,
      ...(total ? { total, percent: Math.floor((100 * this.bytes) / total) } : {}),
      bytesPerSecond: Math.round(this.rate()),
    });
  }
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
