// Everything the demo starts, so one teardown serves both the normal end and
// Ctrl-C. The testkit runs registry:2 and the Pushgateway in their own
// process group (a terminal's SIGINT never reaches them) and its safety net
// is a process "exit" hook, which a signal that kills the process skips: so
// without this, Ctrl-C left both servers running.
import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import type { StartedServer } from "@regguard/testkit";

/** Thrown instead of starting anything once the demo is stopping. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

/** A job gets this long to honour SIGTERM (exit 130) before SIGKILL. */
const JOB_GRACE_MS = 5_000;

/** The demo's servers, job children and temp dirs, and their idempotent teardown. */
export class Owned {
  private stopping: Promise<void> | undefined;
  // Starts still in flight when a signal lands: teardown waits for them, or the server they return would be missed.
  private readonly pending = new Set<Promise<StartedServer>>();
  private readonly servers: StartedServer[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly dirs: string[] = [];

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Start a server that teardown will stop. */
  async server<T extends StartedServer>(start: () => Promise<T>): Promise<T> {
    if (this.stopping) throw new Interrupted();
    const p = start();
    this.pending.add(p);
    try {
      const s = await p;
      this.servers.push(s);
      if (this.stopping) throw new Interrupted();
      return s;
    } finally {
      this.pending.delete(p);
    }
  }

  /** A job child process that teardown will stop; throws if the demo is already stopping. */
  child(child: ChildProcess): void {
    if (this.stopping) {
      child.kill("SIGTERM");
      throw new Interrupted();
    }
    this.children.add(child);
    child.once("close", () => this.children.delete(child));
  }

  /** A directory teardown removes. */
  dir(path: string): string {
    this.dirs.push(path);
    return path;
  }

  /** Stops jobs, then servers (last started first), then removes the dirs; every call returns the same promise. */
  stopAll(): Promise<void> {
    this.stopping ??= this.teardown();
    return this.stopping;
  }

  private async teardown(): Promise<void> {
    // Jobs first: a probe whose registry vanished mid-walk would log a page of request errors.
    await Promise.all([...this.children].map(stopChild));
    for (const r of await Promise.allSettled([...this.pending])) {
      if (r.status === "fulfilled" && !this.servers.includes(r.value)) this.servers.push(r.value);
    }
    for (const s of this.servers.reverse()) await s.stop().catch(() => undefined);
    for (const d of this.dirs) await rm(d, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), JOB_GRACE_MS);
    child.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
