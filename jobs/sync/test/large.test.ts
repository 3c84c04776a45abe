// The built job as the CronJob runs it, on a 300 MiB layer between two real registry:2 (the target
// behind a counting proxy): a SIGTERM mid-copy starts no new push, leaves no tag and exits 130; the
// next run copies the image with memory flat (peak RSS asserted, well under the layer's size).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, walkImage } from "@regguard/oci-client";
import { pushImage, startCountingProxy, startRegistry, type StartedCountingProxy, type StartedRegistry } from "@regguard/testkit";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const MiB = 1024 * 1024;
// Reports the child's peak RSS (KiB on Linux) on stderr as it exits.
const RSS_HOOK = `data:text/javascript,process.on("exit",()=>process.stderr.write("PEAK_RSS_KIB "+process.resourceUsage().maxRSS+"\\n"))`;

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(env: Record<string, string>, onSpawn: (kill: () => void) => void = () => undefined): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", RSS_HOOK, MAIN, "copy"], {
      env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: "--max-semi-space-size=4", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    onSpawn(() => child.kill("SIGTERM"));
  });
}

describe("sync of a 300 MiB layer, as the CronJob runs it", () => {
  let src: StartedRegistry;
  let dst: StartedRegistry;
  let proxy: StartedCountingProxy;
  let digest: string;
  const env = () => ({ SOURCE_URL: src.url, TARGET_URL: proxy.url, TARGET_PREFIX: "viktor/", DRY_RUN: "false" });

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    proxy = await startCountingProxy(dst.url);
    digest = (await pushImage({ url: src.url }, "big", "1", { layers: 1, layerSize: 300 * MiB, seed: "big-300" })).digest;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([proxy?.stop(), src?.stop(), dst?.stop()]);
  });

  it("SIGTERM while a blob uploads: exit 130, no manifest pushed, no tag", async () => {
    let kill: () => void = () => undefined;
    // The signal arrives as the first blob upload reaches the target (before the proxy forwards it).
    proxy.rules.beforeNext({ method: "PUT", pathIncludes: "/blobs/uploads/" }, () => kill());
    const run = await start(env(), (k) => (kill = k));
    expect(run.code, run.stdout + run.stderr).toBe(130);
    expect(run.stdout).toContain("received SIGTERM");
    expect(proxy.requests.filter((q) => q.method === "PUT" && q.path.includes("/manifests/"))).toEqual([]);
    const target = new RegistryClient({ url: dst.url });
    await expect(target.headManifest("viktor/big", "1")).rejects.toMatchObject({ status: 404 });
    await target.close();
  }, 120_000);

  it("the next run copies it whole, with peak RSS far below the layer's size", async () => {
    const run = await start(env());
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const peakMiB = Number(/PEAK_RSS_KIB (\d+)/.exec(run.stderr)?.[1]) / 1024;
    // The layer streams through: memory must not grow with it (300 MiB would be held otherwise).
    expect(peakMiB).toBeLessThan(150);
    const target = new RegistryClient({ url: dst.url });
    try {
      expect((await target.headManifest("viktor/big", "1")).digest).toBe(digest);
      const findings = [];
      for await (const e of walkImage(target, "viktor/big", "1", { checkBlobs: true })) if (e.type === "finding") findings.push(e.finding);
      expect(findings).toEqual([]);
    } finally {
      await target.close();
    }
  }, 120_000);
});
