// Runs a job's built CLI as a child process, the way a CronJob would, and
// shows its output indented under a heading.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Interrupted, type Owned } from "./owned.js";

/** Where the built job CLIs live. */
export const JOB_MAIN = {
  probe: fileURLToPath(new URL("../../../jobs/integrity-probe/dist/main.js", import.meta.url)),
  retention: fileURLToPath(new URL("../../../jobs/retention/dist/main.js", import.meta.url)),
  breakglass: fileURLToPath(new URL("../../../jobs/breakglass/dist/main.js", import.meta.url)),
  sync: fileURLToPath(new URL("../../../jobs/sync/dist/main.js", import.meta.url)),
} as const;

/** A finished job run. */
export interface JobRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a job CLI with only the given environment (plus PATH), echoing its output; `owned` stops it on Ctrl-C. */
export function runJob(owned: Owned, main: string, args: string[], env: Record<string, string>, show: (line: string) => boolean = () => true): Promise<JobRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      owned.child(child);
    } catch (error) {
      reject(error);
      return;
    }
    let stdout = "";
    let stderr = "";
    const echo = (chunk: Buffer, sink: "out" | "err") => {
      const text = chunk.toString();
      if (sink === "out") stdout += text;
      else stderr += text;
      for (const line of text.split("\n")) if (line.trim() && show(line)) process.stdout.write(`    ${pretty(line)}\n`);
    };
    child.stdout.on("data", (c: Buffer) => echo(c, "out"));
    child.stderr.on("data", (c: Buffer) => echo(c, "err"));
    child.on("error", reject);
    // A job stopped by the demo's own teardown has no result worth acting on.
    child.on("close", (code) => (owned.isStopping ? reject(new Interrupted()) : resolve({ code: code ?? 1, stdout, stderr })));
  });
}

/** JSON log lines shown as `level msg key=value`, plain lines as they are. */
export function pretty(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const { time: _t, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const fields = Object.entries(rest)
      .filter(([, v]) => v !== undefined && typeof v !== "object")
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(" ");
    return `${String(level ?? "").padEnd(5)} ${String(msg ?? "")}${fields ? `  ${fields}` : ""}`;
  } catch {
    return line;
  }
}
