// Child processes of the kit: spawn a server, keep its last output lines, wait until ready, kill by PID.
import { spawn, type ChildProcess } from "node:child_process";
import { StartFailedError } from "./errors.js";
import { OutputTail } from "./output-tail.js";

/** How long a server gets to become ready before start-up is declared failed. */
export const DEFAULT_READY_TIMEOUT_MS = 20_000;
/** Grace between SIGTERM and SIGKILL: long enough for dockerd to stop its containerd. */
export const STOP_GRACE_MS = 8_000;
const POLL_MS = 50;

/** What to run and how to know it is ready; `ready` is polled until true or the timeout. */
export interface SpawnServerOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

/** A running child: its PID, its recent output for error messages, and an idempotent stop(). */
export interface ManagedProcess {
  pid: number;
  outputTail(): string;
  hasExited(): boolean;
  stop(): Promise<void>;
}

// Process groups still alive: killed on exit so a crashed test run leaves no stray servers.
const live = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pgid of live) killGroup(pgid, "SIGKILL");
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // the whole group: dockerd's own containerd dies with it
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Spawns a server in its own process group and resolves once `ready()` is true; throws with its output otherwise. */
export async function spawnServer(opts: SpawnServerOptions): Promise<ManagedProcess> {
  installExitHook();
  const tail = new OutputTail(50);
  const child: ChildProcess = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (b: Buffer) => tail.push(b));
  child.stderr?.on("data", (b: Buffer) => tail.push(b));
  let exited = false;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.on("exit", () => {
      exited = true;
      if (child.pid !== undefined) live.delete(child.pid);
      resolve();
    });
    child.on("error", (err) => {
      spawnError = err;
      exited = true;
      resolve();
    });
  });
  if (child.pid !== undefined) live.add(child.pid);
  const pid = child.pid ?? -1;

  const stop = async (): Promise<void> => {
    if (exited || pid < 0) return;
    killGroup(pid, "SIGTERM");
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STOP_GRACE_MS).unref());
    if ((await Promise.race([exitPromise, timer])) === "timeout") {
      killGroup(pid, "SIGKILL");
      await exitPromise;
    }
    killGroup(pid, "SIGKILL"); // leftovers in the group (children that ignored SIGTERM)
  };

  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  for (;;) {
    if (exited) {
      const why = spawnError ? `: ${spawnError.message}` : ` (exit code ${String(child.exitCode)})`;
      throw new StartFailedError(`${opts.name} exited during start-up${why}\n${tail.text()}`);
    }
    if (await opts.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new StartFailedError(`${opts.name} not ready after ${opts.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS} ms\n${tail.text()}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return { pid, outputTail: () => tail.text(), hasExited: () => exited, stop };
}
