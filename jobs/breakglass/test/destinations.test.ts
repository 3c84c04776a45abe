// Failure behaviour against real servers: a registry stopped mid-layer, a
// destination that cannot be written or reads back wrong, pruning, leftovers
// of killed saves, names that would escape.
import { createHash, randomBytes } from "node:crypto";
import { lutimes, mkdir, readdir, readFile, readlink, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "@regguard/job-config";
import { memoryLogger } from "@regguard/job-runtime";
import { pushImage, startRegistry, type BuiltImage, type StartedRegistry, useTempDir } from "@regguard/testkit";
import { archiveNames, save, verifyArchive, type ArchiveResult } from "../src/index.js";
import { LocalDestination, STALE_TEMP_MS } from "../src/local-destination.js";
import { S3Destination } from "../src/s3-destination.js";
import {
  realS3Missing,
  registryMissing,
  s3Keys,
  s3Object,
  saveConfig,
  startCorruptingProxy,
  startCuttingProxy,
  startRealS3,
  startS3,
  testLogger,
  S3_BUCKET,
  S3_KEYS,
  type StartedRealS3,
  type StartedS3,
} from "./helpers.js";

/** Every directory a test here makes is removed after the file (testkit useTempDir). */
const tempDir = useTempDir("bg", afterAll);

if (registryMissing) console.warn(`skipping breakglass destination tests: ${registryMissing}`);

/** Stream `data` into a staged archive as the fan-out would: 1 MiB chunks, then end. */
async function stream(staged: { write(c: Buffer): Promise<void>; end(): Promise<void> }, data: Buffer): Promise<ArchiveResult> {
  for (let off = 0; off < data.length; off += 1024 * 1024) await staged.write(data.subarray(off, off + 1024 * 1024));
  await staged.end();
  return { sha256: createHash("sha256").update(data).digest("hex"), size: data.length };
}

const rejection = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => new Error("resolved"),
    (e: unknown) => e as Error,
  );

describe("local destination: read-back verification", () => {
  it("hashes the closed temp file again: damage after the write fails the commit, the previous archive and sidecar stay", async () => {
    const dir = tempDir("local-verify");
    const names = archiveNames("app", "v1", "none");
    const dest = new LocalDestination(dir);

    const first = randomBytes(3 * 1024 * 1024);
    const staged1 = await dest.stage(names);
    const r1 = await stream(staged1, first);
    await staged1.commit(r1, 5);
    expect((await readdir(dir)).sort()).toEqual(["app-latest.tar", "app-v1.tar", "app-v1.tar.sha256"]);
    expect(await readFile(join(dir, "app-v1.tar.sha256"), "utf8")).toBe(`${r1.sha256}  app-v1.tar\n`);

    // The same name again with other bytes, and one byte on disk changes after close (what a faulty server would do).
    const second = randomBytes(2 * 1024 * 1024 + 17);
    const staged2 = await dest.stage(names);
    const r2 = await stream(staged2, second);
    const temp = (await readdir(dir)).find((f) => f.startsWith(".app-v1.tar.tmp-")) as string;
    const onDisk = await readFile(join(dir, temp));
    onDisk[1_500_000] = (onDisk[1_500_000] as number) ^ 1;
    await writeFile(join(dir, temp), onDisk);
    const e = await rejection(staged2.commit(r2, 5));
    expect(e.message).toMatch(/reads back as 2097169 bytes sha256:[0-9a-f]{64} .*expected 2097169 bytes sha256:/);
    expect((await readdir(dir)).sort()).toEqual(["app-latest.tar", "app-v1.tar", "app-v1.tar.sha256"]);
    expect((await readFile(join(dir, "app-v1.tar"))).equals(first)).toBe(true);
    expect(await readFile(join(dir, "app-v1.tar.sha256"), "utf8")).toBe(`${r1.sha256}  app-v1.tar\n`);

    // Undamaged, the same save replaces archive and sidecar together and leaves no temporary file.
    const staged3 = await dest.stage(names);
    const r3 = await stream(staged3, second);
    await staged3.commit(r3, 5);
    expect((await readdir(dir)).sort()).toEqual(["app-latest.tar", "app-v1.tar", "app-v1.tar.sha256"]);
    expect((await readFile(join(dir, "app-v1.tar"))).equals(second)).toBe(true);
    expect(await readFile(join(dir, "app-v1.tar.sha256"), "utf8")).toBe(`${r3.sha256}  app-v1.tar\n`);
  });
});

describe("local destination: the order of the two renames (issue 16)", () => {
  it("the archive is renamed before its sidecar: a failure between the two never pairs the previous archive with the new sidecar", async () => {
    const dir = tempDir("rename-order");
    const names = archiveNames("app", "v1", "none");
    const dest = new LocalDestination(dir);
    const first = randomBytes(64 * 1024);
    const staged1 = await dest.stage(names);
    await staged1.commit(await stream(staged1, first), 5);
    const second = randomBytes(80 * 1024);
    const staged2 = await dest.stage(names);
    const r2 = await stream(staged2, second);
    // The sidecar's rename fails (its name is now a non-empty directory), as a crash between the two would stop it.
    await rm(join(dir, "app-v1.tar.sha256"));
    await mkdir(join(dir, "app-v1.tar.sha256", "x"), { recursive: true });
    await expect(staged2.commit(r2, 5)).rejects.toThrow();
    // The new archive is in place (so verify sees it unpaired, never the old one under a new hash).
    expect((await readFile(join(dir, "app-v1.tar"))).equals(second)).toBe(true);
  });
});

describe.skipIf(registryMissing)("destinations under failure", () => {
  let reg: StartedRegistry;
  let s3: StartedS3;
  let big: BuiltImage;
  beforeAll(async () => {
    [reg, s3] = await Promise.all([startRegistry(), startS3()]);
    // v1 is saved by tag name below; only v2's digests are compared.
    await pushImage({ url: reg.url }, "viktor/infra-ci", "v1", { layers: 2, layerSize: 8 * 1024, seed: "v1" });
    big = await pushImage({ url: reg.url }, "viktor/infra-ci", "v2", { layers: 2, layerSize: 12 * 1024 * 1024, seed: "v2" });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([s3?.stop(), reg?.stop()]);
  });

  const env = (tag: string, destinations: string, extra: Record<string, string> = {}) => ({
    IMAGE: `${reg.host}/viktor/infra-ci:${tag}`,
    DESTINATIONS: destinations,
    S3_ENDPOINT: s3.endpoint,
    ...S3_KEYS,
    ...extra,
  });

  it("a registry serving a tampered layer of the same length fails the save; the archive and latest stay where they were (issue 16)", async () => {
    const dir = tempDir("tampered");
    const first = await save(saveConfig(env("v1", dir)), { log: testLogger() });
    expect(first.ok).toBe(true);
    // One byte flipped in v2's first layer, length unchanged: only the digest check can see it.
    const layer = big.layers[0]?.digest as string;
    const proxy = await startCorruptingProxy(reg.url, new RegExp(`/blobs/${layer}$`));
    try {
      const report = await save(saveConfig(env("v2", dir, { REGISTRY_URL: proxy.url })), { log: testLogger() });
      expect(proxy.corrupted.length, "the proxy damaged the layer").toBeGreaterThan(0);
      expect(report.ok).toBe(false);
    } finally {
      await proxy.stop();
    }
    // A new file name failed to commit: latest must still point at v1, and no v2 file exists.
    expect((await readdir(dir)).sort()).toEqual(["infra-ci-latest.tar", "infra-ci-v1.tar", "infra-ci-v1.tar.sha256"]);
    expect(await readlink(join(dir, "infra-ci-latest.tar"))).toBe("infra-ci-v1.tar");
    expect((await verifyArchive(join(dir, "infra-ci-v1.tar"))).sidecar).toBe("match");
  });

  it("registry stopped mid-layer: the run fails, the previous archive and latest stay intact everywhere, no temp files", async () => {
    const dir = tempDir("interrupt");
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

  it("S3: a read-back that does not match never reaches the final name; the previous archive and latest pointer stay", async () => {
    const dests = `s3://${S3_BUCKET}/corrupt`;
    expect((await save(saveConfig(env("v1", dests)), { log: testLogger() })).ok).toBe(true);
    const keys = await s3Keys(s3, "corrupt/");
    expect(keys).toEqual(["corrupt/infra-ci-latest.txt", "corrupt/infra-ci-v1.tar", "corrupt/infra-ci-v1.tar.sha256"]);
    const before = await Promise.all(keys.map((k) => s3Object(s3, k)));

    // The store keeps the right bytes; every archive the job reads back, under any key, arrives damaged.
    const proxy = await startCorruptingProxy(s3.endpoint, /\/corrupt\/[^/]*\.tar(\.tmp-[^/]*)?$/);
    try {
      // A new name (v2, multipart) and the existing one saved again (v1).
      for (const tag of ["v2", "v1"]) {
        const report = await save(saveConfig(env(tag, dests, { S3_ENDPOINT: proxy.url })), { log: testLogger() });
        expect(report.ok, tag).toBe(false);
        expect(report.destinations[0]?.error, tag).toMatch(/reads back as \d+ bytes sha256:[0-9a-f]{64}, expected/);
      }
    } finally {
      await proxy.stop();
    }
    expect(await s3Keys(s3, "corrupt/")).toEqual(keys);
    // What was read back (and damaged) was the temporary copy, never the final name.
    expect(proxy.corrupted).toEqual([
      expect.stringMatching(/^\/breakglass\/corrupt\/\.infra-ci-v2\.tar\.tmp-/),
      expect.stringMatching(/^\/breakglass\/corrupt\/\.infra-ci-v1\.tar\.tmp-/),
    ]);
    expect(await Promise.all(keys.map((k) => s3Object(s3, k)))).toEqual(before);
    expect((await s3Object(s3, "corrupt/infra-ci-latest.txt"))?.toString()).toBe("infra-ci-v1.tar\n");

    // Through an honest path the same save lands, and no temporary key is left behind.
    expect((await save(saveConfig(env("v2", dests)), { log: testLogger() })).ok).toBe(true);
    expect(await s3Keys(s3, "corrupt/")).toEqual([...keys, "corrupt/infra-ci-v2.tar", "corrupt/infra-ci-v2.tar.sha256"].sort());
  });

  it("removes this series' temporary files older than the stale age at the start of a save, logging each; fresh and foreign ones stay", async () => {
    const dir = tempDir("stale");
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    const stale = [".infra-ci-v0.tar.tmp-4242-abcdefgh", ".infra-ci-v0.tar.sha256.tmp-4242-bcdefghi"];
    for (const f of stale) {
      await writeFile(join(dir, f), randomBytes(4096));
      await utimes(join(dir, f), old, old);
    }
    await symlink("infra-ci-v0.tar", join(dir, ".infra-ci-latest.tar.tmp-4242-cdefghij"));
    await lutimes(join(dir, ".infra-ci-latest.tar.tmp-4242-cdefghij"), old, old);
    stale.push(".infra-ci-latest.tar.tmp-4242-cdefghij");
    // A save running right now, another series, and a file that only looks similar.
    const kept = [".infra-ci-v9.tar.tmp-4343-defghijk", ".other-v0.tar.tmp-4242-efghijkl", ".infra-ci-notes.tmp"];
    for (const f of kept) {
      await writeFile(join(dir, f), "x");
      if (f !== kept[0]) await utimes(join(dir, f), old, old);
    }
    const log = memoryLogger();
    expect((await save(saveConfig(env("v1", dir)), { log })).ok).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([...kept, "infra-ci-latest.tar", "infra-ci-v1.tar", "infra-ci-v1.tar.sha256"].sort());
    const removed = log.lines.filter((l) => l.msg === "removed a temporary file left by an interrupted save");
    expect(removed.map((l) => l.file).sort()).toEqual([...stale].sort());
    expect(removed.every((l) => l.level === "warn" && l.destination === dir)).toBe(true);
  });

  it("a successful save removes the fresh temporaries a killed save of the same archive name left; other names' stay", async () => {
    const dir = tempDir("killed");
    // What a save of v1 killed a minute ago leaves: its archive and sidecar temporaries.
    const leftovers = [".infra-ci-v1.tar.tmp-4242-abcdefgh", ".infra-ci-v1.tar.sha256.tmp-4242-bcdefghi"];
    // A save of another tag running right now, and latest's temporary (shared by the series).
    const kept = [".infra-ci-v9.tar.tmp-4343-defghijk", ".infra-ci-latest.tar.tmp-4343-cdefghij"];
    for (const f of [...leftovers, ...kept]) await writeFile(join(dir, f), randomBytes(4096));
    const log = memoryLogger();
    expect((await save(saveConfig(env("v1", dir)), { log })).ok).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([...kept, "infra-ci-latest.tar", "infra-ci-v1.tar", "infra-ci-v1.tar.sha256"].sort());
    const removed = log.lines.filter((l) => l.msg === "removed a temporary file left by an interrupted save");
    expect(removed.map((l) => l.file).sort()).toEqual([...leftovers].sort());
  });

  it("one failing destination does not stop the others; the run reports each and fails", async () => {
    const good = tempDir("good");
    const missing = join(good, "not-mounted");
    const report = await save(saveConfig(env("v1", `${missing},${good},s3://no-such-bucket/x,s3://${S3_BUCKET}/partial`)), { log: testLogger() });
    expect(report.ok).toBe(false);
    expect(report.destinations.map((d) => [d.destination, d.ok])).toEqual([
      [missing, false],
      [good, true],
      ["s3://no-such-bucket/x", false],
      [`s3://${S3_BUCKET}/partial`, true],
    ]);
    expect(report.destinations[0]?.error).toMatch(/does not exist .*mounted/);
    expect(await readlink(join(good, "infra-ci-latest.tar"))).toBe("infra-ci-v1.tar");
    expect(await s3Keys(s3, "partial/")).toContain("partial/infra-ci-v1.tar");
  });

  it("refuses to replace a latest that is a real file, and leaves it alone", async () => {
    const dir = tempDir("realfile");
    await writeFile(join(dir, "infra-ci-latest.tar"), "an operator's hand-made copy");
    const report = await save(saveConfig(env("v1", dir)), { log: testLogger() });
    expect(report.ok).toBe(false);
    expect(report.destinations[0]?.error).toMatch(/not a symlink/);
    expect(await readFile(join(dir, "infra-ci-latest.tar"), "utf8")).toBe("an operator's hand-made copy");
    expect(await readdir(dir)).toEqual(["infra-ci-latest.tar"]);
  });

  it("prunes to the newest KEEP of this name only, in directories and S3, never the latest target", async () => {
    const dir = tempDir("prune");
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
      "infra-ci-latest.tar",
      "infra-ci-stray.tar",
      "infra-ci-t3.tar",
      "infra-ci-t3.tar.sha256",
      "infra-ci-t4.tar",
      "infra-ci-t4.tar.sha256",
      "infra-ci-x.tar",
      "infra-ci-x.tar.sha256",
      "infra-latest.tar",
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
});

// Configuration only: no server needed, so it runs whether or not registry:2 is installed (issue 16).
describe("names and destinations that would escape, refused by the configuration", () => {
  const env = (tag: string, destinations: string, extra: Record<string, string> = {}) => ({
    IMAGE: `127.0.0.1:5000/viktor/infra-ci:${tag}`,
    DESTINATIONS: destinations,
    S3_ENDPOINT: "http://127.0.0.1:9000",
    ...S3_KEYS,
    ...extra,
  });

  it("rejects names that would escape the directory, before any request", () => {
    for (const name of ["../evil", "a/b", "..", "x\u0007y", "a\\b", ".hidden", "ok..not"]) {
      expect(() => saveConfig(env("v1", "/tmp", { ARCHIVE_NAME: name })), name).toThrow(ConfigError);
    }
    expect(() => saveConfig(env("v1", "relative/dir"))).toThrow(/absolute directory/);
    expect(() => saveConfig(env("v1", "s3://../x"))).toThrow(/bucket name/);
    expect(() => saveConfig(env("v1", "s3://bucket/a/../b"))).toThrow(/\.\. segments/);
    expect(() => saveConfig({ ...env("v1", "/tmp"), IMAGE: "127.0.0.1:5000/viktor/infra-ci:../x" })).toThrow(ConfigError);
    const e: unknown = (() => {
      try {
        saveConfig(env("v1", "/tmp", { ARCHIVE_NAME: "../evil", KEEP: "0", PLATFORM: "amd64", COMPRESS: "zstd" }));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems).toHaveLength(4); // every problem at once
  });
});

describe.skipIf(realS3Missing)("S3 multipart copy (real S3: versitygw)", () => {
  let s3: StartedRealS3;
  beforeAll(async () => {
    s3 = await startRealS3();
  }, 30_000);
  afterAll(async () => {
    await s3?.stop();
  });
  // A 6 MiB single-copy limit makes a 19 MiB archive take the multipart path S3 needs past 5 GiB.
  const destination = () => new S3Destination(s3.client, S3_BUCKET, "mp", `s3://${S3_BUCKET}/mp`, { maxSingleCopyBytes: 6 * 1024 * 1024 });
  const bigArchive = () => randomBytes(19 * 1024 * 1024 + 5);
  /** Every key under mp/ with its bytes' sha256: what a failed commit must leave exactly as it was. */
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const key of await s3Keys(s3, "mp/"))
      out[key] = createHash("sha256")
        .update((await s3Object(s3, key)) ?? Buffer.alloc(0))
        .digest("hex");
    return out;
  };

  it("an archive over the single-copy limit is copied part by part to the final key, byte for byte, temp key removed", async () => {
    const data = bigArchive();
    const staged = await destination().stage(archiveNames("big", "v1", "none"), data.length);
    const result = await stream(staged, data);
    const done = await staged.commit(result, 5);
    expect(done.location).toBe(`s3://${S3_BUCKET}/mp/big-v1.tar`);
    expect(await s3Keys(s3, "mp/")).toEqual(["mp/big-latest.txt", "mp/big-v1.tar", "mp/big-v1.tar.sha256"]);
    expect((await s3Object(s3, "mp/big-v1.tar"))?.equals(data)).toBe(true);
    expect(await s3.pendingUploads("mp/")).toEqual([]);
    // It really went part by part: 19 MiB in parts of 8 MiB (S3's part floor, s3-upload.ts) is three UploadPartCopy requests.
    const partCopies = s3.proxy.requests.filter((r) => r.method === "PUT" && r.path.includes("/mp/big-v1.tar?") && r.path.includes("partNumber="));
    expect(partCopies.length).toBe(3);
  });

  it("a part copy the server keeps failing leaves every key as it was: no new name, an old archive of the same name untouched, no upload left open", async () => {
    const before = await snapshot();
    expect(Object.keys(before)).toContain("mp/big-v1.tar"); // from the case above
    const internalError = {
      status: 500,
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test</Message></Error>',
      headers: { "Content-Type": "application/xml" },
    };
    for (const tag of ["v2", "v1"]) {
      // Part 2 of the copy to the final key fails on every attempt the SDK makes (it retries 500s).
      s3.proxy.rules.failNext({ method: "PUT", pathIncludes: `/mp/big-${tag}.tar?partNumber=2` }, internalError, 10);
      const data = bigArchive();
      const staged = await destination().stage(archiveNames("big", tag, "none"), data.length);
      const result = await stream(staged, data);
      await expect(staged.commit(result, 5)).rejects.toThrow(/InternalError|injected/);
      expect(await snapshot(), `after the failed copy to big-${tag}.tar`).toEqual(before);
      expect(await s3.pendingUploads("mp/")).toEqual([]);
    }
  });
});
