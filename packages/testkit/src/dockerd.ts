// A private dockerd (docker.io 20.10) with no bridge and every path in a temp dir: `docker load` checks.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { requireBinary } from "./binaries.js";
import { runCommand } from "./command.js";
import { spawnServer } from "./process.js";
import { makeTempDir, removeDir } from "./tmp.js";
import type { CommandResult } from "./types.js";

/** A running dockerd: its unix socket and a `docker` CLI bound to it. */
export interface StartedDockerd {
  socket: string;
  docker(args: string[], opts?: { input?: Uint8Array | string }): Promise<CommandResult>;
  stop(): Promise<void>;
}

/** Lazily unmounts every mount point below `dir` (deepest first). */
async function unmountUnder(dir: string): Promise<void> {
  let mounts: string;
  try {
    mounts = await readFile("/proc/self/mounts", "utf8");
  } catch {
    return;
  }
  const points = mounts
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((p): p is string => p !== undefined && p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await runCommand("umount", ["-l", point]).catch(() => undefined);
}

/** Starts dockerd with the flags that work here (no bridge, no iptables); throws with its output if it cannot. */
export async function startDockerd(): Promise<StartedDockerd> {
  const dockerd = requireBinary("dockerd");
  const dockerBin = requireBinary("docker");
  const dir = await makeTempDir("dockerd");
  try {
    const socket = join(dir, "docker.sock");
    const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, "cli-config") };
    const docker = (args: string[], opts: { input?: Uint8Array | string } = {}): Promise<CommandResult> => runCommand(dockerBin, args, { ...opts, env });
    const proc = await spawnServer({
      name: "dockerd",
      command: dockerd,
      args: [
        "--data-root",
        join(dir, "data"),
        "--exec-root",
        join(dir, "exec"),
        "--pidfile",
        join(dir, "docker.pid"),
        "-H",
        `unix://${socket}`,
        "--bridge=none",
        "--iptables=false",
        "--ip-forward=false",
        "--ip-masq=false",
        "--ip6tables=false",
      ],
      cwd: dir,
      timeoutMs: 40_000,
      ready: async () => existsSync(socket) && (await docker(["version"])).code === 0,
    });
    return {
      socket,
      docker,
      stop: async () => {
        await proc.stop();
        // dockerd leaves its network-namespace bind mounts behind (exec/netns/*) once a
        // container has run; unmount them or the temp dir cannot be removed (EBUSY).
        await unmountUnder(dir);
        await removeDir(dir);
      },
    };
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}
