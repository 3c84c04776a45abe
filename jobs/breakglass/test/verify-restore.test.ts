// verify finds every kind of damage with a precise message; restore puts an
// archive into a second real registry with the same manifest digest.
import { createHash } from "node:crypto";
import { copyFile, readFile, readlink, realpath, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { RegistryClient, parseReference } from "@regguard/oci-client";
import { pushImage, pushIndex, startCountingProxy, startRegistry, type BuiltImage, type BuiltIndex, type StartedRegistry, useTempDir } from "@regguard/testkit";
import { ArchiveInvalidError, restoreArchive, save, verifyArchive } from "../src/index.js";
import { registryMissing, REPO_ROOT, runbookBlocks, saveConfig, sh, testLogger } from "./helpers.js";
import { rewriteTar, tarEntries } from "./tar-surgery.js";

/** Every directory a test here makes is removed after the file (testkit useTempDir). */
const tempDir = useTempDir("bg", afterAll);

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
    dir = tempDir("verify");
    for (const [ref, platform] of [
      [`${source.host}/viktor/infra-ci:abc123`, "linux/amd64"],
      [`${source.host}/viktor/multi:v1`, "all"],
    ] as const) {
      const report = await save(saveConfig({ IMAGE: ref, DESTINATIONS: dir, PLATFORM: platform }), { log: testLogger() });
      expect(report.ok).toBe(true);
    }
    single = join(dir, "infra-ci-abc123.tar");
    all = join(dir, "multi-v1.tar");
  }, 60_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const damaged = async (name: string, f: (copy: string) => Promise<void>): Promise<string> => {
    const copy = join(dir, `${name}.tar`);
    await copyFile(single, copy);
    await f(copy);
    return copy;
  };
  const failure = async (path: string): Promise<string> => {
    const e = await verifyArchive(path).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ArchiveInvalidError);
    return (e as Error).message;
  };

  it("accepts what save wrote, sidecar included", async () => {
    expect((await verifyArchive(single)).sidecar).toBe("match");
    const bare = join(dir, "no-sidecar.tar");
    await copyFile(single, bare);
    expect((await verifyArchive(bare)).sidecar).toBe("absent");
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
    expect(await failure(retag)).toMatch(
      /manifest.json entry 0 is tagged ".*infra-ci:other", but index.json names the image 127\.0\.0\.1:\d+\/viktor\/infra-ci:abc123$/,
    );
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

  /**
   * A copy of the single-image archive edited and sealed again: the manifest and/or config JSON
   * changed, their blobs renamed to the new digests, index.json and manifest.json pointed at them,
   * so every digest matches and only the check under test can object (issue 16).
   */
  const resealed = async (
    name: string,
    edit: { manifest?: (m: Record<string, unknown>) => void; config?: (c: Record<string, unknown>) => void },
  ): Promise<string> => {
    const buf = await readFile(single);
    const entry = (n: string) => {
      const e = tarEntries(buf).find((x) => x.name === n);
      if (!e) throw new Error(`${n} not in the archive`);
      return buf.subarray(e.data, e.data + e.size);
    };
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    const index = JSON.parse(entry("index.json").toString()) as { manifests: Array<{ digest: string; size: number }> };
    const oldManifest = (index.manifests[0]?.digest as string).slice(7);
    const manifest = JSON.parse(entry(`blobs/sha256/${oldManifest}`).toString()) as { config: { digest: string; size: number } } & Record<string, unknown>;
    const oldConfig = manifest.config.digest.slice(7);
    const config = JSON.parse(entry(`blobs/sha256/${oldConfig}`).toString()) as Record<string, unknown>;
    edit.config?.(config);
    const configBytes = Buffer.from(JSON.stringify(config));
    manifest.config = { ...manifest.config, digest: `sha256:${sha(configBytes)}`, size: configBytes.length };
    edit.manifest?.(manifest);
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    index.manifests[0] = { ...(index.manifests[0] as { digest: string; size: number }), digest: `sha256:${sha(manifestBytes)}`, size: manifestBytes.length };
    const docker = JSON.parse(entry("manifest.json").toString()) as Array<{ Config: string }>;
    for (const d of docker) d.Config = `blobs/sha256/${sha(configBytes)}`;
    const out = join(dir, `${name}.tar`);
    await rewriteTar(
      single,
      out,
      (n, d) => {
        if (n === `blobs/sha256/${oldManifest}` || n === `blobs/sha256/${oldConfig}`) return null;
        if (n === "index.json") return Buffer.from(JSON.stringify(index));
        if (n === "manifest.json") return Buffer.from(JSON.stringify(docker));
        return d;
      },
      [
        { name: `blobs/sha256/${sha(configBytes)}`, data: configBytes },
        { name: `blobs/sha256/${sha(manifestBytes)}`, data: manifestBytes },
      ],
    );
    return out;
  };

  it("refuses what docker load or ctr would mishandle: sizes against descriptors, diff_ids, strays, an image docker load would skip, duplicates (issue 16)", async () => {
    // The sealing alone passes: every failure below is the one edit's.
    expect((await verifyArchive(await resealed("sealed", {}))).images).toHaveLength(1);
    const layerSize = await resealed("layer-size", { manifest: (m) => void ((m.layers as Array<{ size: number }>)[0]!.size += 1) });
    expect(await failure(layerSize)).toMatch(/layer sha256:[0-9a-f]{64} of sha256:[0-9a-f]{64} is \d+ bytes, the manifest says \d+/);
    const configSize = await resealed("config-size", { manifest: (m) => void ((m.config as { size: number }).size += 1) });
    expect(await failure(configSize)).toMatch(/config sha256:[0-9a-f]{64} is \d+ bytes, its descriptor says \d+/);
    const diffIds = await resealed("diff-ids", { config: (c) => void (c.rootfs as { diff_ids: string[] }).diff_ids.pop() });
    expect(await failure(diffIds)).toMatch(/lists 2 diff_ids for 3 layers/);
    const noRootfs = await resealed("no-rootfs", { config: (c) => void delete c.rootfs });
    expect(await failure(noRootfs)).toMatch(/^config sha256:[0-9a-f]{64} of sha256:[0-9a-f]{64} lists no diff_ids for 3 layers$/);
    const manifestSize = join(dir, "manifest-size.tar");
    await rewriteTar(single, manifestSize, (n, d) => {
      if (n !== "index.json") return d;
      const index = JSON.parse(d.toString()) as { manifests: Array<{ size: number }> };
      index.manifests[0]!.size += 1;
      return Buffer.from(JSON.stringify(index));
    });
    expect(await failure(manifestSize)).toMatch(/manifest sha256:[0-9a-f]{64} is \d+ bytes, its descriptor says \d+/);
    const stray = Buffer.from("nothing points at me");
    const strayed = join(dir, "stray.tar");
    await rewriteTar(single, strayed, (_n, d) => d, [{ name: `blobs/sha256/${createHash("sha256").update(stray).digest("hex")}`, data: stray }]);
    expect(await failure(strayed)).toMatch(/blob sha256:[0-9a-f]{64} is in the archive but nothing references it/);
    const twice = join(dir, "twice.tar");
    await rewriteTar(single, twice, (_n, d) => d, [{ name: "index.json", data: Buffer.from("{}") }]);
    expect(await failure(twice)).toMatch(/entry "index.json" appears twice/);
    // The multi-arch archive without one runnable child in manifest.json: docker load would skip it.
    const skipped = join(dir, "skipped.tar");
    await rewriteTar(all, skipped, (n, d) => (n === "manifest.json" ? Buffer.from(JSON.stringify((JSON.parse(d.toString()) as unknown[]).slice(1))) : d));
    expect(await failure(skipped)).toMatch(/image sha256:[0-9a-f]{64} is missing from manifest.json; docker load would not load it/);
  });

  // One metadata document edited at a time; each message is the operator's only clue (issue 16).
  const docker = (edit: (entries: Array<Record<string, unknown>>) => unknown) => (d: Buffer) =>
    Buffer.from(JSON.stringify(edit(JSON.parse(d.toString()) as Array<Record<string, unknown>>)));
  const EMPTY_INDEX = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
  const AN_IMAGE = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"0".repeat(64)}`, size: 2 },
    layers: [],
  });
  it.each<[string, string, (d: Buffer) => Buffer | null, RegExp]>([
    ["oci-layout without a version", "oci-layout", () => Buffer.from("{}"), /oci-layout has no imageLayoutVersion$/],
    ["no oci-layout", "oci-layout", () => null, /oci-layout is missing from the archive$/],
    ["an oci-layout that is not JSON", "oci-layout", () => Buffer.from("{oops"), /oci-layout is not valid JSON$/],
    ["an oci-layout that is JSON null", "oci-layout", () => Buffer.from("null"), /oci-layout has no imageLayoutVersion$/],
    ["an index.json listing nothing", "index.json", () => Buffer.from(EMPTY_INDEX), /index.json lists no manifests$/],
    ["an index.json that is an image manifest", "index.json", () => Buffer.from(AN_IMAGE), /index.json lists no manifests$/],
    ["an index.json that is not JSON", "index.json", () => Buffer.from("[1"), /^.*index.json: .+/],
    ["an empty manifest.json", "manifest.json", () => Buffer.from("[]"), /manifest.json is not a non-empty array$/],
    ["a manifest.json object", "manifest.json", () => Buffer.from("{}"), /manifest.json is not a non-empty array$/],
    ["an entry without Config", "manifest.json", docker((e) => e.map(({ Config: _c, ...rest }) => rest)), /manifest.json entry 0 needs Config and Layers$/],
    ["an entry without Layers", "manifest.json", docker((e) => e.map(({ Layers: _l, ...rest }) => rest)), /manifest.json entry 0 needs Config and Layers$/],
    ["an entry that is null", "manifest.json", docker((e) => [null, ...e]), /manifest.json entry 0 needs Config and Layers$/],
    [
      "an entry with one layer too many",
      "manifest.json",
      docker((e) => e.map((x) => ({ ...x, Layers: [...(x.Layers as string[]), (x.Layers as string[])[0]] }))),
      /manifest.json entry 0 \(blobs\/sha256\/[0-9a-f]{64}\) matches no image reachable from index.json$/,
    ],
    [
      "an entry with its layers in another order",
      "manifest.json",
      docker((e) => e.map((x) => ({ ...x, Layers: [...(x.Layers as string[])].reverse() }))),
      /manifest.json entry 0 \(blobs\/sha256\/[0-9a-f]{64}\) matches no image reachable from index.json$/,
    ],
    [
      "an entry missing its last layer",
      "manifest.json",
      docker((e) => e.map((x) => ({ ...x, Layers: (x.Layers as string[]).slice(0, -1) }))),
      /manifest.json entry 0 \(blobs\/sha256\/[0-9a-f]{64}\) matches no image reachable from index.json$/,
    ],
    [
      "an entry naming another config",
      "manifest.json",
      docker((e) => e.map((x) => ({ ...x, Config: `blobs/sha256/${"0".repeat(64)}` }))),
      /manifest.json entry 0 \(blobs\/sha256\/0{64}\) matches no image reachable from index.json$/,
    ],
    [
      "RepoTags that is not an array",
      "manifest.json",
      docker((e) => e.map((x) => ({ ...x, RepoTags: "infra-ci:abc123" }))),
      /manifest.json entry 0: RepoTags is not an array$/,
    ],
    [
      "no RepoTags at all",
      "manifest.json",
      docker((e) => e.map(({ RepoTags: _t, ...rest }) => rest)),
      /no manifest.json entry carries the image's name; docker load would leave it untagged$/,
    ],
    [
      "empty RepoTags",
      "manifest.json",
      docker((e) => e.map((x) => ({ ...x, RepoTags: [] }))),
      /no manifest.json entry carries the image's name; docker load would leave it untagged$/,
    ],
  ])("refuses %s", async (label, file, edit, message) => {
    const out = join(dir, `meta-${label.replace(/\W+/g, "-")}.tar`);
    await rewriteTar(single, out, (n, d) => (n === file ? edit(d) : d));
    expect(await failure(out)).toMatch(message);
  });

  // Entry by entry refusals (links, escapes, duplicates, stray names) are the reader's:
  // packages/image-archive/src/archive-read.test.ts.

  it("entry names with a ./ prefix are the same names: such an archive verifies", async () => {
    const out = join(dir, "dot-slash.tar");
    const buf = await readFile(single);
    // Files only: rewriteTar keeps the directory entries as they are.
    const extra = tarEntries(buf)
      .filter((e) => !e.name.endsWith("/"))
      .map((e) => ({ name: `./${e.name}`, data: buf.subarray(e.data, e.data + e.size) }));
    await rewriteTar(single, out, () => null, extra);
    expect((await verifyArchive(out)).images.map((i) => i.descriptor.digest)).toEqual([img.digest]);
  });

  it("a missing file, bytes that are no tar, and a gzip archive: each told apart", async () => {
    expect(await failure(join(dir, "no-such.tar"))).toMatch(/^cannot read the archive: ENOENT/);
    const junk = join(dir, "junk.tar");
    await writeFile(junk, Buffer.alloc(4096, 0x41));
    expect(await failure(junk)).toMatch(/^the archive is not a readable tar: /);
    const report = await save(saveConfig({ IMAGE: `${source.host}/viktor/infra-ci:abc123`, DESTINATIONS: dir, COMPRESS: "gzip" }), { log: testLogger() });
    expect(report.ok).toBe(true);
    const gz = join(dir, "infra-ci-abc123.tar.gz");
    expect((await verifyArchive(gz)).images.map((i) => i.descriptor.digest)).toEqual([img.digest]);
    const cut = join(dir, "cut.tar.gz");
    await copyFile(gz, cut);
    await truncate(cut, (await readFile(gz)).length - 1000);
    expect(await failure(cut)).toMatch(/^the archive is truncated \(/);
  });

  it("a sidecar that is not in sha256sum format fails, naming it", async () => {
    const path = await damaged("sidecar-garbage", (p) => writeFile(`${p}.sha256`, "not a checksum line\n"));
    expect(await failure(path)).toMatch(/sidecar-garbage.tar.sha256 is not in sha256sum format$/);
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

  it("restore streams a layer over 4 MiB from the tar: uploaded where missing, counted present where the registry has it, digest-pinned REFs checked", async () => {
    const big = await pushImage({ url: source.url }, "viktor/big", "v1", { layers: 1, layerSize: 5 * 1024 * 1024, seed: "vr-big" });
    const report = await save(saveConfig({ IMAGE: `${source.host}/viktor/big:v1`, DESTINATIONS: dir }), { log: testLogger() });
    expect(report.ok).toBe(true);
    const path = join(dir, "big-v1.tar");
    const client = new RegistryClient({ url: target.url, username: "ci-pusher", password: PAT });
    try {
      const first = await restoreArchive(path, client, parseReference(`${target.host}/big/app:v1`), memoryLogger());
      expect([first.blobsPushed, first.blobsPresent, first.manifests]).toEqual([2, 0, 1]);
      expect(first.reference).toBe(`${target.host}/big/app:v1`);
      const layer = big.layers[0] as { digest: `sha256:${string}`; size: number };
      await client.checkBlob("big/app", layer);
      // The usual state after an incident: the blobs survived, the manifest did not.
      const again = await restoreArchive(path, client, parseReference(`${target.host}/big/app:v2`), memoryLogger());
      expect([again.blobsPushed, again.blobsPresent]).toEqual([0, 2]);
      expect((await client.headManifest("big/app", "v2")).digest).toBe(big.digest);
      // By digest: the archive's own image goes back under the archive's tag (pods pinned to the
      // digest find it either way); another digest is refused before any push.
      const pinned = await restoreArchive(path, client, parseReference(`${target.host}/big/pinned@${big.digest}`), memoryLogger());
      expect([pinned.reference, pinned.digest]).toEqual([`${target.host}/big/pinned:v1`, big.digest]);
      expect((await client.headManifest("big/pinned", big.digest)).digest).toBe(big.digest);
      const other = `sha256:${"a".repeat(64)}`;
      const refused = await restoreArchive(path, client, parseReference(`${target.host}/big/wrong@${other}`), memoryLogger()).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(refused?.message).toBe(`REF asks for ${other}, the archive's image is ${big.digest}`);
      await expect(client.headBlob("big/wrong", layer.digest)).rejects.toThrow();
    } finally {
      await client.close();
    }
  });

  it("restore fails when the tag does not resolve to the archive's digest afterwards (a push raced it) (issue 16)", async () => {
    const proxy = await startCountingProxy(target.url);
    const client = new RegistryClient({ url: proxy.url, username: "ci-pusher", password: PAT });
    try {
      const other = `sha256:${"e".repeat(64)}`;
      proxy.rules.failNext(
        { method: "HEAD", pathIncludes: "/v2/raced/app/manifests/v1" },
        { status: 200, body: "", headers: { "docker-content-digest": other, "content-type": "application/vnd.oci.image.manifest.v1+json" } },
      );
      const e = await restoreArchive(single, client, parseReference(`${target.host}/raced/app:v1`), memoryLogger()).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e?.message).toMatch(new RegExp(`now resolves to ${other}, expected ${img.digest}`));
      // The PUT of the tag did reach the registry: the failure is the check after it.
      expect(proxy.requests.some((r) => r.method === "PUT" && r.path === "/v2/raced/app/manifests/v1")).toBe(true);
    } finally {
      await client.close();
      await proxy.stop();
    }
  });

  it("restore reads the manifest back when the HEAD after the push names no digest: the archive's image passes, a raced one is refused (issue 16)", async () => {
    const proxy = await startCountingProxy(target.url);
    const client = new RegistryClient({ url: proxy.url, username: "ci-pusher", password: PAT });
    const headWithoutDigest = { status: 200, body: "", headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } };
    try {
      // The registry's own manifest, read back and hashed: the restore is done.
      proxy.rules.failNext({ method: "HEAD", pathIncludes: "/v2/nodigest/app/manifests/v1" }, headWithoutDigest);
      const ok = await restoreArchive(single, client, parseReference(`${target.host}/nodigest/app:v1`), memoryLogger());
      expect(ok.digest).toBe(img.digest);
      const afterPut = proxy.requests.slice(proxy.requests.findIndex((r) => r.method === "PUT" && r.path === "/v2/nodigest/app/manifests/v1"));
      expect(afterPut.map((r) => `${r.method} ${r.path}`)).toEqual([
        "PUT /v2/nodigest/app/manifests/v1",
        "HEAD /v2/nodigest/app/manifests/v1",
        "GET /v2/nodigest/app/manifests/v1",
      ]);

      // Another image served under the tag (a push won the race): refused, by the digest of what is served.
      const other = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"c".repeat(64)}`, size: 2 },
        layers: [],
      });
      const otherDigest = `sha256:${createHash("sha256").update(other).digest("hex")}`;
      proxy.rules.failNext({ method: "HEAD", pathIncludes: "/v2/nodigest/raced/manifests/v1" }, headWithoutDigest);
      proxy.rules.failNext(
        { method: "GET", pathIncludes: "/v2/nodigest/raced/manifests/v1" },
        { status: 200, body: other, headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } },
      );
      const e = await restoreArchive(single, client, parseReference(`${target.host}/nodigest/raced:v1`), memoryLogger()).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e?.message).toBe(`${target.host}/nodigest/raced:v1 now resolves to ${otherDigest}, expected ${img.digest}`);
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
