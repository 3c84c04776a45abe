// Failure behaviour against real servers: a registry stopped mid-layer, a
// destination that cannot be written, pruning, names that would escape.
import { readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "@regguard/job-config";
import { pushImage, startRegistry, type BuiltImage, type StartedRegistry } from "@regguard/testkit";
import { save, verifyArchive } from "../src/index.js";
import {
  registryMissing, s3Keys, s3Object, saveConfig, startCuttingProxy, startS3, tempDir, removeTempDirs, testLogger, S3_BUCKET, S3_KEYS, type StartedS3,
} from "./helpers.js";

if (registryMissing) console.warn(`skipping breakglass destination tests: ${registryMissing}`);

describe.skipIf(registryMissing)("destinations under failure", () => {
  let reg: StartedRegistry;
  let s3: StartedS3;
  let v1: BuiltImage;
  let big: BuiltImage;
  beforeAll(async () => {
    [reg, s3] = await Promise.all([startRegistry(), startS3()]);
    v1 = await pushImage({ url: reg.url }, "viktor/infra-ci", "v1", { layers: 2, layerSize: 8 * 1024, seed: "v1" });
    big = await pushImage({ url: reg.url }, "viktor/infra-ci", "v2", { layers: 2, layerSize: 12 * 1024 * 1024, seed: "v2" });
  }, 60_000);
  afterAll(async () => {
    await removeTempDirs();
    await Promise.all([s3?.stop(), reg?.stop()]);
  });

  const env = (tag: string, destinations: string, extra: Record<string, string> = {}) => ({
    IMAGE: `${reg.host}/viktor/infra-ci:${tag}`, DESTINATIONS: destinations, S3_ENDPOINT: s3.endpoint, ...S3_KEYS, ...extra,
  });

  it("registry stopped mid-layer: the run fails, the previous archive and latest stay intact everywhere, no temp files", async () => {
    const dir = await tempDir("interrupt");
    const dests = `${dir},s3://${S3_BUCKET}/interrupt`;
    const first = await save(saveConfig(env("v1", dests)), { log: testLogger() });
    expect(first.ok).toBe(true);
    const before = await readFile(join(dir, "infra-ci-v1.tar"));

    const layer = big.layers[1]?.digest as string;
    const proxy = await startCuttingProxy(reg.url, new RegExp(`/blobs/${layer}$`), 3 * 1024 * 1024);
    try {
      // The image keeps its real name; the bytes come through the proxy (REGISTRY_URL).
      const running = save(saveConfig(env("v2", dests, { REGISTRY_URL: proxy.url })), { log: testLogger() });
      await proxy.cut;
      await reg.restart(); // the registry process dies with the layer half sent
      proxy.release();
      const report = await running;
      expect(report.ok).toBe(false);
      expect(report.destinations.every((d) => !d.ok && /truncated|closed|terminated|socket|aborted/i.test(d.error ?? ""))).toBe(true);
    } finally {
      await proxy.stop();
    }
    expect((await readdir(dir)).sort()).toEqual(["infra-ci-latest.tar", "infra-ci-v1.tar", "infra-ci-v1.tar.sha256"]);
    expect(await readlink(join(dir, "infra-ci-latest.tar"))).toBe("infra-ci-v1.tar");
    expect((await readFile(join(dir, "infra-ci-v1.tar"))).equals(before)).toBe(true);
    expect((await verifyArchive(join(dir, "infra-ci-v1.tar"))).sidecar).toBe("match");
    expect(await s3Keys(s3, "interrupt/")).toEqual(["interrupt/infra-ci-latest.txt", "interrupt/infra-ci-v1.tar", "interrupt/infra-ci-v1.tar.sha256"]);
    expect((await s3Object(s3, "interrupt/infra-ci-latest.txt"))?.toString()).toBe("infra-ci-v1.tar\n");

    // After the registry is back, the same save succeeds and moves latest.
    const again = await save(saveConfig(env("v2", dests)), { log: testLogger() });
    expect(again.ok).toBe(true);
    expect(await readlink(join(dir, "infra-ci-latest.tar"))).toBe("infra-ci-v2.tar");
    expect((await s3Object(s3, "interrupt/infra-ci-v2.tar"))?.length).toBe(again.size);
  });

  it("one failing destination does not stop the others; the run reports each and fails", async () => {
    const good = await tempDir("good");
    const missing = join(good, "not-mounted");
    const report = await save(saveConfig(env("v1", `${missing},${good},s3://no-such-bucket/x,s3://${S3_BUCKET}/partial`)), { log: testLogger() });
    expect(report.ok).toBe(false);
    expect(report.destinations.map((d) => [d.destination, d.ok])).toEqual([
      [missing, false], [good, true], ["s3://no-such-bucket/x", false], [`s3://${S3_BUCKET}/partial`, true],
    ]);
    expect(report.destinations[0]?.error).toMatch(/does not exist .*mounted/);
    expect(await readlink(join(good, "infra-ci-latest.tar"))).toBe("infra-ci-v1.tar");
    expect(await s3Keys(s3, "partial/")).toContain("partial/infra-ci-v1.tar");
  });

  it("refuses to replace a latest that is a real file, and leaves it alone", async () => {
    const dir = await tempDir("realfile");
    await writeFile(join(dir, "infra-ci-latest.tar"), "an operator's hand-made copy");
    const report = await save(saveConfig(env("v1", dir)), { log: testLogger() });
    expect(report.ok).toBe(false);
    expect(report.destinations[0]?.error).toMatch(/not a symlink/);
    expect(await readFile(join(dir, "infra-ci-latest.tar"), "utf8")).toBe("an operator's hand-made copy");
    expect(await readdir(dir)).toEqual(["infra-ci-latest.tar"]);
  });

  it("prunes to the newest KEEP of this name only, in directories and S3, never the latest target", async () => {
    const dir = await tempDir("prune");
    const dests = `${dir},s3://${S3_BUCKET}/prune`;
    // Another series whose files look like ours (ARCHIVE_NAME=infra, tag ci-x) and a stray file.
    await pushImage({ url: reg.url }, "viktor/infra", "ci-x", { seed: "other" });
    expect((await save(saveConfig({ ...env("v1", dests), IMAGE: `${reg.host}/viktor/infra:ci-x` }), { log: testLogger() })).ok).toBe(true);
    await writeFile(join(dir, "infra-ci-stray.tar"), "not an archive");
    for (const tag of ["t1", "t2", "t3", "t4"]) {
      await pushImage({ url: reg.url }, "viktor/infra-ci", tag, { seed: tag });
      const report = await save(saveConfig(env(tag, dests, { KEEP: "2" })), { log: testLogger() });
      expect(report.ok).toBe(true);
    }
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([
      "infra-ci-latest.tar", "infra-ci-stray.tar", "infra-ci-t3.tar", "infra-ci-t3.tar.sha256", "infra-ci-t4.tar", "infra-ci-t4.tar.sha256",
      "infra-ci-x.tar", "infra-ci-x.tar.sha256", "infra-latest.tar",
    ]);
    expect(await readlink(join(dir, "infra-ci-latest.tar"))).toBe("infra-ci-t4.tar");
    expect((await s3Keys(s3, "prune/")).filter((k) => k.endsWith(".tar"))).toEqual(["prune/infra-ci-t3.tar", "prune/infra-ci-t4.tar", "prune/infra-ci-x.tar"]);

    // latest pointed back at an old archive by hand (a rollback) is never pruned.
    await symlink("infra-ci-t3.tar", join(dir, "infra-ci-latest.tar.gz"));
    await pushImage({ url: reg.url }, "viktor/infra-ci", "t5", { seed: "t5" });
    const report = await save(saveConfig(env("t5", dir, { KEEP: "1" })), { log: testLogger() });
    expect(report.destinations[0]?.pruned).toEqual(["infra-ci-t4.tar"]);
    expect((await readdir(dir)).filter((f) => /^infra-ci-t\d\.tar$/.test(f)).sort()).toEqual(["infra-ci-t3.tar", "infra-ci-t5.tar"]);
  });

  it("rejects names that would escape the directory, before any request", () => {
    for (const name of ["../evil", "a/b", "..", "x\u0007y", "a\\b", ".hidden", "ok..not"]) {
      expect(() => saveConfig(env("v1", "/tmp", { ARCHIVE_NAME: name })), name).toThrow(ConfigError);
    }
    expect(() => saveConfig(env("v1", "relative/dir"))).toThrow(/absolute directory/);
    expect(() => saveConfig(env("v1", "s3://../x"))).toThrow(/bucket name/);
    expect(() => saveConfig(env("v1", "s3://bucket/a/../b"))).toThrow(/\.\. segments/);
    expect(() => saveConfig({ ...env("v1", "/tmp"), IMAGE: `${reg.host}/viktor/infra-ci:../x` })).toThrow(ConfigError);
    try {
      saveConfig({ ...env("v1", "/tmp", { ARCHIVE_NAME: "../evil", KEEP: "0", PLATFORM: "amd64", COMPRESS: "zstd" }) });
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(4); // every problem at once
    }
  });
});
