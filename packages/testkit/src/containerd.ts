// Standalone containerd 1.6 with every path in a temp dir: the breakglass import target (`ctr images import`).
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { requireBinary } from "./binaries.js";
import { runCommand } from "./command.js";
import { spawnServer } from "./process.js";
import { makeTempDir, removeDir } from "./tmp.js";
import type { CommandResult } from "./types.js";

/** A running containerd: its socket, the Kubernetes namespace, and a `ctr` bound to both. */
export interface StartedContainerd {
  address: string;
  namespace: string;
  ctr(args: string[], opts?: { input?: Uint8Array | string }): Promise<CommandResult>;
  stop(): Promise<void>;
}

/** Namespace kubelet uses: breakglass imports must land where pods look. */
export const CONTAINERD_NAMESPACE = "k8s.io";

/** Plugins that only slow start-up or need a host we do not have (CRI, exotic snapshotters). */
const DISABLED_PLUGINS = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
];

function configToml(dir: string, socket: string): string {
  return [
    "version = 2",
    `root = "${join(dir, "root")}"`,
    `state = "${join(dir, "state")}"`,
    `disabled_plugins = [${DISABLED_PLUGINS.map((p) => `"${p}"`).join(", ")}]`,
    "[grpc]",
    `  address = "${socket}"`,
    "[ttrpc]",
    `  address = "${socket}.ttrpc"`,
    "[debug]",
    `  address = ""`,
    "[metrics]",
    `  address = ""`,
    `[plugins."io.containerd.internal.v1.opt"]`,
    `  path = "${join(dir, "opt")}"`,
    "",
  ].join("\n");
}

/** Starts containerd (needs root); throws with containerd's last output lines if it cannot start. */
export async function startContainerd(): Promise<StartedContainerd> {
  const containerd = requireBinary("containerd");
  const ctrBin = requireBinary("ctr");
  const dir = await makeTempDir("ctrd");
  try {
    const address = join(dir, "containerd.sock");
    const configPath = join(dir, "config.toml");
    await mkdir(join(dir, "opt"), { recursive: true });
    await writeFile(configPath, configToml(dir, address));
    const ctr = (args: string[], opts: { input?: Uint8Array | string } = {}): Promise<CommandResult> =>
      runCommand(ctrBin, ["-a", address, "-n", CONTAINERD_NAMESPACE, ...args], opts);
    const proc = await spawnServer({
      name: "containerd",
      command: containerd,
      args: ["--config", configPath],
      cwd: dir,
      ready: async () => existsSync(address) && (await ctr(["version"], {})).code === 0,
    });
    return {
      address,
      namespace: CONTAINERD_NAMESPACE,
      ctr,
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
