// A private dockerd (docker.io 20.10) with no bridge and every path in a temp dir: `docker load` checks.
import { existsSync } from "node:fs";
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

/** Starts dockerd with the flags that work here (no bridge, no iptables); throws with its output if it cannot. */
export async function startDockerd(): Promise<StartedDockerd> {
  const dockerd = requireBinary("dockerd");
  const dockerBin = requireBinary("docker");
  const dir = await makeTempDir("dockerd");
  try {
    const socket = join(dir, "docker.sock");
    const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, "cli-config") };
    const docker = (args: string[], opts: { input?: Uint8Array | string } = {}): Promise<CommandResult> =>
      runCommand(dockerBin, args, { ...opts, env });
    const proc = await spawnServer({
      name: "dockerd",
      command: dockerd,
      args: [
        "--data-root", join(dir, "data"),
        "--exec-root", join(dir, "exec"),
        "--pidfile", join(dir, "docker.pid"),
        "-H", `unix://${socket}`,
        "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--ip6tables=false",
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
        await removeDir(dir);
      },
    };
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}
