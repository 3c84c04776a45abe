// Runs the built demo as `pnpm demo` does (node dist/main.js) in a child
// process, and finds what it left behind. The demo gets its own TMPDIR and
// working directory: every temp dir it or the testkit creates lands there,
// registry:2 and the Pushgateway run with their cwd there, and its job
// children inherit that cwd, so "left behind" means a process whose cwd or
// command line is under that directory, or a file in it.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** A finished demo run. */
export interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface DemoOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Send `signal` once stdout matches `after`. */
  interrupt?: { after: RegExp; signal: NodeJS.Signals };
  timeoutMs?: number;
}

/** Run the demo with only PATH, HOME and TMPDIR (no configuration) plus `env`. */
export function runDemo(home: string, opts: DemoOptions = {}): Promise<DemoRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...(opts.args ?? [])], {
      cwd: home,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? home, TMPDIR: home, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let sent = false;
    // A hung demo must fail the test, not the whole suite's timeout.
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 50_000);
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      if (opts.interrupt && !sent && opts.interrupt.after.test(stdout)) {
        sent = true;
        child.kill(opts.interrupt.signal);
      }
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * Processes whose cwd or command line is under `home`, as "pid comm: cmdline";
 * each is killed once listed, so a failing run does not leak servers into the next.
 */
export function leftoverProcesses(home: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      let cwd = "";
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // Another user's process: its command line still tells.
      }
      if (cwd.startsWith(home) || cmdline.includes(home)) {
        const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
        out.push(`${pid} ${comm}: ${cmdline} (cwd ${cwd})`);
        process.kill(Number(pid), "SIGKILL");
      }
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}

/** What is left in `home`. */
export function filesUnder(home: string): string[] {
  return existsSync(home) ? readdirSync(home) : [];
}

/** Why the demo cannot run here, or undefined. */
export function cannotRun(binaries: (name: string) => boolean): string | undefined {
  if (!existsSync(MAIN)) return `${MAIN} does not exist (run pnpm build first; turbo's test task builds it)`;
  if (!existsSync("/proc/self/cwd")) return "no /proc: cannot look for processes the demo left behind";
  for (const [bin, pkg] of [
    ["docker-registry", "docker-registry"],
    ["prometheus-pushgateway", "prometheus-pushgateway"],
  ] as const) {
    if (!binaries(bin)) return `${bin} is not installed (apt-get install ${pkg})`;
  }
  return undefined;
}
