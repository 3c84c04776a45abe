// What the benches measure of a child process: wall time, peak RSS and CPU
// time. GNU time's figures when /usr/bin/time exists (exact, from wait4, so
// no tool measures itself), else the child's VmHWM sampled from /proc (and
// no CPU time).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";

/** cpuSeconds (user + sys) is only known with GNU time; it is the figure least disturbed by other load. */
export interface Measured {
  code: number;
  seconds: number;
  peakRssBytes: number;
  cpuSeconds: number | undefined;
  stdout: string;
  stderr: string;
}

const GNU_TIME = "/usr/bin/time";
const MARK = "BENCH_MAXRSS_KB=";

/** Run `command` to its end with exactly `env`; never throws for a non-zero exit (see `code`). */
export async function measureProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const viaTime = existsSync(GNU_TIME);
  const started = process.hrtime.bigint();
  const child = viaTime
    ? spawn(GNU_TIME, ["-f", `${MARK}%M %U %S`, command, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    : spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  let sampled = 0;
  const timer = viaTime
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, "utf8").then(
          (s) => {
            const kb = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0);
            sampled = Math.max(sampled, kb * 1024);
          },
          () => undefined,
        );
      }, 20);
  const code = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  }).finally(() => timer && clearInterval(timer));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let peakRssBytes = sampled;
  let cpuSeconds: number | undefined;
  if (viaTime) {
    const line = stderr.split("\n").find((l) => l.startsWith(MARK));
    const [kb, user, sys] = (line?.slice(MARK.length) ?? "0 0 0").split(" ").map(Number);
    peakRssBytes = (kb ?? 0) * 1024;
    cpuSeconds = (user ?? 0) + (sys ?? 0);
    stderr = stderr
      .split("\n")
      .filter((l) => !l.startsWith(MARK))
      .join("\n");
  }
  return { code, seconds, peakRssBytes, cpuSeconds, stdout, stderr };
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times (100 on every architecture Linux ships). */
const USER_HZ = 100;

/**
 * CPU time (user + system) a running process has used so far, from /proc/<pid>/stat: what a bench
 * reads before and after a run to tell the servers' share of two shared cores from the tool's.
 */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may itself hold spaces or ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`/proc/${pid}/stat has no CPU times: ${stat.slice(0, 200)}`);
  return (utime + stime) / USER_HZ;
}
