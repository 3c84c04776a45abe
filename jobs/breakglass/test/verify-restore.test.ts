// verify finds every kind of damage with a precise message; restore puts an
// archive into a second real registry with the same manifest digest.
import { copyFile, readFile, readlink, realpath, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { RegistryClient, parseReference } from "@regguard/oci-client";
import { pushImage, pushIndex, startCountingProxy, startRegistry, type BuiltImage, type BuiltIndex, type StartedRegistry } from "@regguard/testkit";
import { ArchiveInvalidError, restoreArchive, save, verifyArchive } from "../src/index.js";
import { registryMissing, REPO_ROOT, runbookBlocks, saveConfig, sh, tempDir, removeTempDirs, testLogger } from "./helpers.js";
import { rewriteTar, tarEntries } from "./tar-surgery.js";

if (registryMissing) console.warn(`skipping verify/restore tests: ${registryMissing}`);

describe.skipIf(registryMissing)("verify and restore", () => {
  let source: StartedRegistry;
  let target: StartedRegistry;
  let img: BuiltImage;
  let multi: BuiltIndex;
  let dir: string;
  let single: string;
  let all: string;
  const PAT = "restore-pat-123";
  beforeAll(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry({ auth: "htpasswd", username: "ci-pusher", password: PAT })]);
    img = await pushImage({ url: source.url }, "viktor/infra-ci", "abc123", { layers: 3, layerSize: 20_000, seed: "vr" });
    multi = await pushIndex({ url: source.url }, "viktor/multi", "v1", { attestations: true, seed: "vr-multi", layerSize: 2048 });
    dir = await tempDir("verify");
    for (const [ref, platform] of [[`${source.host}/viktor/infra-ci:abc123`, "linux/amd64"], [`${source.host}/viktor/multi:v1`, "all"]] as const) {
      const report = await save(saveConfig({ IMAGE: ref, DESTINATIONS: dir, PLATFORM: platform }), { log: testLogger() });
      expect(report.ok).toBe(true);
    }
    single = join(dir, "infra-ci-abc123.tar");
    all = join(dir, "multi-v1.tar");
  }, 60_000);
  afterAll(async () => {
    await removeTempDirs();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const damaged = async (name: string, f: (copy: string) => Promise<void>): Promise<string> => {
    const copy = join(dir, `${name}.tar`);
    await copyFile(single, copy);
    await f(copy);
    return copy;
  };
  const failure = async (path: string): Promise<string> => {
    const e = await verifyArchive(path).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ArchiveInvalidError);
    return (e as Error).message;
  };

  it("accepts what save wrote, sidecar included", async () => {
    expect((await verifyArchive(single)).sidecar).toBe("match");
    const s = await verifyArchive(all);
    expect(s.images[0]?.descriptor.digest).toBe(multi.digest);
    expect(s.blobs.size).toBeGreaterThan(6);
  });

  it("verify through a latest symlink checks the target's sidecar, and fails when that sidecar disagrees", async () => {
    expect(await readlink(join(dir, "infra-ci-latest.tar"))).toBe("infra-ci-abc123.tar");
    expect((await verifyArchive(join(dir, "infra-ci-latest.tar"))).sidecar).toBe("match");
    const copy = join(dir, "linked-abc.tar");
    await copyFile(single, copy);
    await writeFile(`${copy}.sha256`, `${"0".repeat(64)}  linked-abc.tar\n`);
    await symlink("linked-abc.tar", join(dir, "linked-latest.tar"));
    expect(await failure(join(dir, "linked-latest.tar"))).toContain(`but ${await realpath(copy)}.sha256 says ${"0".repeat(64)}`);
  });

  it("a truncated archive fails: mid-blob, and cut cleanly before the last blob", async () => {
    const bytes = await readFile(single);
    const mid = await damaged("trunc-mid", (p) => truncate(p, Math.floor(bytes.length / 2)));
    expect(await failure(mid)).toMatch(/truncated/);
    const last = tarEntries(bytes).at(-1);
    const clean = await damaged("trunc-clean", (p) => truncate(p, last?.header as number));
    expect(await failure(clean)).toMatch(new RegExp(`layer sha256:${last?.name.split("/").pop()} of .* is missing from the archive`));
  });

  it("a tampered layer byte fails with the blob's digest", async () => {
    const layer = tarEntries(await readFile(single)).find((e) => e.name.endsWith((img.layers[1]?.digest as string).slice(7)));
    const path = await damaged("tamper", async (p) => {
      const b = await readFile(p);
      const at = (layer?.data as number) + 100;
      b[at] = (b[at] as number) ^ 0xff;
      await writeFile(p, b);
    });
    expect(await failure(path)).toMatch(new RegExp(`^blob ${img.layers[1]?.digest} is damaged: its ${layer?.size} bytes hash to sha256:[0-9a-f]{64}$`));
  });

  it("inconsistent metadata fails precisely", async () => {
    const retag = join(dir, "retag.tar");
    await rewriteTar(single, retag, (n, d) => (n === "manifest.json" ? Buffer.from(d.toString().replace("infra-ci:abc123", "infra-ci:other")) : d));
    expect(await failure(retag)).toMatch(/manifest.json entry 0 is tagged ".*infra-ci:other", but index.json names the image/);
    const unnamed = join(dir, "unnamed.tar");
    await rewriteTar(single, unnamed, (n, d) => (n === "index.json" ? Buffer.from(d.toString().replace("io.containerd.image.name", "x")) : d));
    expect(await failure(unnamed)).toMatch(/has no io.containerd.image.name annotation/);
    const extra = join(dir, "extra.tar");
    await rewriteTar(single, extra, (_n, d) => d, [{ name: "../../etc/cron.d/evil", data: Buffer.from("x") }]);
    expect(await failure(extra)).toMatch(/escapes the archive/);
    const nolayer = join(dir, "nolayer.tar");
    await rewriteTar(single, nolayer, (n, d) => (n.endsWith((img.layers[0]?.digest as string).slice(7)) ? null : d));
    expect(await failure(nolayer)).toMatch(/layer .* is missing from the archive/);
  });

  it("a sidecar that disagrees fails", async () => {
    const path = await damaged("sidecar", (p) => writeFile(`${p}.sha256`, `${"0".repeat(64)}  sidecar.tar\n`));
    expect(await failure(path)).toMatch(/hashes to sha256:[0-9a-f]{64}, but .*sidecar.tar.sha256 says 0{64}/);
  });

  it("restore into a second registry keeps the digest: single image and a whole multi-arch index", async () => {
    const client = new RegistryClient({ url: target.url, username: "ci-pusher", password: PAT });
    try {
      const one = await restoreArchive(single, client, parseReference(`${target.host}/viktor/infra-ci:abc123`), memoryLogger());
      expect(one.digest).toBe(img.digest);
      expect((await client.headManifest("viktor/infra-ci", "abc123")).digest).toBe(img.digest);
      const idx = await restoreArchive(all, client, parseReference(`${target.host}/mirror/multi:v1`), memoryLogger());
      expect(idx.digest).toBe(multi.digest);
      const back = await client.manifest("mirror/multi", "v1");
      expect(back.digest).toBe(multi.digest);
      for (const child of [...multi.children, ...multi.attestations]) {
        const m = await client.manifest("mirror/multi", child.digest);
        if (m.kind === "image") for (const l of m.layers) await client.checkBlob("mirror/multi", l);
      }
      // Again: everything is already there, nothing is uploaded twice.
      const again = await restoreArchive(single, client, parseReference(`${target.host}/viktor/infra-ci:abc123`), memoryLogger());
      expect(again.blobsPushed).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("restore fails when the tag does not resolve to the archive's digest afterwards (a push raced it) (issue 16)", async () => {
    const proxy = await startCountingProxy(target.url);
    const client = new RegistryClient({ url: proxy.url, username: "ci-pusher", password: PAT });
    try {
      const other = `sha256:${"e".repeat(64)}`;
      proxy.rules.failNext({ method: "HEAD", pathIncludes: "/v2/raced/app/manifests/v1" }, { status: 200, body: "", headers: { "docker-content-digest": other, "content-type": "application/vnd.oci.image.manifest.v1+json" } });
      const e = await restoreArchive(single, client, parseReference(`${target.host}/raced/app:v1`), memoryLogger()).then(() => undefined, (err: unknown) => err as Error);
      expect(e?.message).toMatch(new RegExp(`now resolves to ${other}, expected ${img.digest}`));
      // The PUT of the tag did reach the registry: the failure is the check after it.
      expect(proxy.requests.some((r) => r.method === "PUT" && r.path === "/v2/raced/app/manifests/v1")).toBe(true);
    } finally {
      await client.close();
      await proxy.stop();
    }
  });

  it("restore refuses a damaged archive before pushing anything", async () => {
    const bytes = await readFile(single);
    const path = await damaged("restore-trunc", (p) => truncate(p, bytes.length - 5000));
    const client = new RegistryClient({ url: target.url, username: "ci-pusher", password: PAT });
    try {
      await expect(restoreArchive(path, client, parseReference(`${target.host}/broken/app:v1`), memoryLogger())).rejects.toThrow(ArchiveInvalidError);
      // Nothing reached the registry: no tag, and no repository (a pushed blob would create it).
      await expect(client.tags("broken/app")).resolves.toEqual([]);
      const repos: string[] = [];
      for await (const r of client.repositories()) repos.push(r);
      expect(repos).not.toContain("broken/app");
    } finally {
      await client.close();
    }
  });

  it("runbook: the restore block (built CLI) pushes the archive back under IMAGE", async () => {
    const block = (await runbookBlocks()).get("restore") as string;
    const image = `${target.host}/viktor/runbook:abc123`;
    const r = await sh(block, { ARCHIVE: single, IMAGE: image, PAT, REGISTRY_INSECURE: "true" }, { cwd: REPO_ROOT });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const client = new RegistryClient({ url: target.url, username: "ci-pusher", password: PAT });
    try {
      expect((await client.headManifest("viktor/runbook", "abc123")).digest).toBe(img.digest);
    } finally {
      await client.close();
    }
  });
});
