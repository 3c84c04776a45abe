// CPU seconds used by the registry process and by this process (which runs
// the delay proxy), so a run can be told CPU-bound from latency-bound.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** utime + stime of the process whose command line mentions `marker`, in seconds; NaN if not found (not Linux). */
export function processCpuSeconds(marker: string): number {
  try {
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      if (!cmdline.includes(marker)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    }
  } catch {
    // not Linux: no figure
  }
  return NaN;
}

/** This process's CPU seconds so far. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
