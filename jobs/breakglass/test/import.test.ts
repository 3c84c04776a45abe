// The point of breakglass: a real registry -> save (two directories + S3) ->
// the runbook's own commands import it into a real containerd 1.6 and a real
// dockerd, by full name and with the registry's manifest digest.
import { readFile, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushImage, pushIndex, startContainerd, startDockerd, startRegistry,
  type BuiltImage, type BuiltIndex, type StartedContainerd, type StartedDockerd, type StartedRegistry,
} from "@regguard/testkit";
import { save, verifyArchive } from "../src/index.js";
import {
  containerdMissing, ctrImages, dockerdMissing, registryMissing, runbookBlocks, s3Object, saveConfig, sh, startS3, tempDir, removeTempDirs, testLogger,
  S3_BUCKET, S3_KEYS, type StartedS3,
} from "./helpers.js";

if (registryMissing) console.warn(`skipping breakglass import tests: ${registryMissing}`);
if (containerdMissing) console.warn(`skipping containerd imports: ${containerdMissing}`);
if (dockerdMissing) console.warn(`skipping docker load: ${dockerdMissing}`);

describe.skipIf(registryMissing)("save -> ctr images import and docker load", () => {
  let reg: StartedRegistry;
  let s3: StartedS3;
  let containerd: StartedContainerd | undefined;
  let dockerd: StartedDockerd | undefined;
  const down: Record<string, string> = {};
  let img: BuiltImage;
  let multi: BuiltIndex;
  let dirs: string[];
  let blocks: Map<string, string>;
  let image: string;

  beforeAll(async () => {
    [reg, s3, blocks] = await Promise.all([startRegistry(), startS3(), runbookBlocks()]);
    const daemons = Promise.all([
      containerdMissing ? undefined : startContainerd().then((c) => (containerd = c), (e: Error) => void (down.containerd = e.message)),
      dockerdMissing ? undefined : startDockerd().then((d) => (dockerd = d), (e: Error) => void (down.dockerd = e.message)),
    ]);
    img = await pushImage({ url: reg.url }, "viktor/infra-ci", "abc123", { layers: 3, layerSize: 64 * 1024, seed: "import" });
    multi = await pushIndex({ url: reg.url }, "viktor/multi", "v1", { attestations: true, seed: "import-multi", layerSize: 4096 });
    dirs = [await tempDir("vm"), await tempDir("nas")];
    image = `${reg.host}/viktor/infra-ci:abc123`;
    await daemons;
    for (const [name, why] of Object.entries(down)) console.warn(`${name} could not start here, its checks are skipped: ${why}`);
  }, 90_000);
  afterAll(async () => {
    await removeTempDirs();
    await Promise.all([containerd?.stop(), dockerd?.stop(), s3?.stop(), reg?.stop()]);
  });

  const saveTo = (env: Record<string, string>) => save(saveConfig({
    IMAGE: image, DESTINATIONS: `${dirs.join(",")},s3://${S3_BUCKET}/snapshots`, S3_ENDPOINT: s3.endpoint, ...S3_KEYS, ...env,
  }), { log: testLogger() });
  const ctrEnv = () => ({ CONTAINERD_ADDRESS: containerd?.address ?? "" });

  it("writes the same verified archive, sidecar and relative latest to two directories and S3", async () => {
    const report = await saveTo({});
    expect(report.destinations.map((d) => [d.destination, d.ok, d.error])).toEqual([
      [dirs[0], true, undefined], [dirs[1], true, undefined], [`s3://${S3_BUCKET}/snapshots`, true, undefined],
    ]);
    expect(report.ok).toBe(true);
    expect(report.digest).toBe(img.digest);
    const local = await readFile(join(dirs[0] as string, "infra-ci-abc123.tar"));
    expect((await readFile(join(dirs[1] as string, "infra-ci-abc123.tar"))).equals(local)).toBe(true);
    for (const dir of dirs) {
      expect(await readlink(join(dir, "infra-ci-latest.tar"))).toBe("infra-ci-abc123.tar");
      expect(await readFile(join(dir, "infra-ci-abc123.tar.sha256"), "utf8")).toBe(`${report.sha256}  infra-ci-abc123.tar\n`);
    }
    // S3 round trip, byte for byte (the SDK's default checksums would have stored aws-chunked framing).
    expect((await s3Object(s3, "snapshots/infra-ci-abc123.tar"))?.equals(local)).toBe(true);
    expect((await s3Object(s3, "snapshots/infra-ci-abc123.tar.sha256"))?.toString()).toBe(`${report.sha256}  infra-ci-abc123.tar\n`);
    expect((await s3Object(s3, "snapshots/infra-ci-latest.txt"))?.toString()).toBe("infra-ci-abc123.tar\n");
    const summary = await verifyArchive(join(dirs[0] as string, "infra-ci-latest.tar"));
    expect(summary.images.map((i) => [i.name, i.tag, i.descriptor.digest])).toEqual([[image, "abc123", img.digest]]);
    expect(summary.sidecar).toBe("absent"); // the sidecar is named after the real file, not the symlink
  });

  it("runbook: checksum and archive-digest blocks work on the copy", async () => {
    const archive = join(dirs[1] as string, "infra-ci-abc123.tar");
    const check = await sh(blocks.get("checksum") as string, { ARCHIVE: archive, IMAGE: image });
    expect(check.stdout).toContain("infra-ci-abc123.tar: OK");
    const index = await sh(blocks.get("archive-digest") as string, { ARCHIVE: archive, IMAGE: image });
    expect(index.code).toBe(0);
    expect(index.stdout).toContain(img.digest);
    expect(index.stdout).toContain(`"io.containerd.image.name":"${image}"`);
  });

  it.skipIf(containerdMissing)("runbook: ctr -n k8s.io images import FILE names the image by its full reference with the registry's digest", async (ctx) => {
    if (!containerd) return ctx.skip();
    const imported = await sh(blocks.get("import-plain") as string, { ...ctrEnv(), ARCHIVE: join(dirs[0] as string, "infra-ci-latest.tar"), IMAGE: image });
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    const listed = await sh(blocks.get("check") as string, { ...ctrEnv(), IMAGE: image });
    expect(ctrImages(listed.stdout)).toEqual(new Map([[image, img.digest]]));
  });

  it.skipIf(dockerdMissing)("runbook: docker load -i FILE tags the image with its full reference", async (ctx) => {
    if (!dockerd) return ctx.skip();
    const loaded = await sh(blocks.get("docker-load") as string, { DOCKER_HOST: `unix://${dockerd.socket}`, ARCHIVE: join(dirs[0] as string, "infra-ci-abc123.tar"), IMAGE: image });
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toContain(`Loaded image: ${image}`);
    const id = await dockerd.docker(["image", "inspect", image, "--format", "{{.Id}}"]);
    expect(id.stdout.trim()).toBe(img.config.digest);
  });

  it("COMPRESS=gzip: .tar.gz that the runbook's gunzip | ctr import (containerd 1.6) and docker load accept", async (ctx) => {
    image = `${reg.host}/viktor/infra-ci:gz1`;
    const gz = await pushImage({ url: reg.url }, "viktor/infra-ci", "gz1", { layers: 2, layerSize: 32 * 1024, seed: "gz" });
    const report = await saveTo({ COMPRESS: "gzip" });
    expect(report.ok).toBe(true);
    const file = join(dirs[0] as string, "infra-ci-gz1.tar.gz");
    expect((await readFile(file)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await readlink(join(dirs[0] as string, "infra-ci-latest.tar.gz"))).toBe("infra-ci-gz1.tar.gz");
    expect(await readlink(join(dirs[0] as string, "infra-ci-latest.tar"))).toBe("infra-ci-abc123.tar"); // the plain series is untouched
    expect((await verifyArchive(file)).sidecar).toBe("match");
    expect((await s3Object(s3, "snapshots/infra-ci-gz1.tar.gz"))?.equals(await readFile(file))).toBe(true);
    if (!containerd && !dockerd) return ctx.skip();
    if (containerd) {
      // The field notes' failure: containerd 1.6 cannot read the gzipped file directly.
      const direct = await sh(blocks.get("import-plain") as string, { ...ctrEnv(), ARCHIVE: file, IMAGE: image });
      expect(direct.code).not.toBe(0);
      const imported = await sh(blocks.get("import-gzip") as string, { ...ctrEnv(), ARCHIVE: file, IMAGE: image });
      expect(imported.code).toBe(0);
      const listed = await sh(blocks.get("check") as string, { ...ctrEnv(), IMAGE: image });
      expect(ctrImages(listed.stdout).get(image)).toBe(gz.digest);
    }
    if (dockerd) {
      const loaded = await sh(blocks.get("docker-load") as string, { DOCKER_HOST: `unix://${dockerd.socket}`, ARCHIVE: file, IMAGE: image });
      expect(loaded.stdout).toContain(`Loaded image: ${image}`);
    }
  });

  it("PLATFORM=all: a multi-arch index with attestations keeps the index digest in containerd; docker tags amd64", async () => {
    const ref = `${reg.host}/viktor/multi:v1`;
    const report = await save(saveConfig({ IMAGE: ref, DESTINATIONS: dirs[0] as string, PLATFORM: "all" }), { log: testLogger() });
    expect(report.ok).toBe(true);
    expect(report.digest).toBe(multi.digest);
    expect(report.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    const file = join(dirs[0] as string, "multi-v1.tar");
    const summary = await verifyArchive(file);
    expect(summary.manifests.size).toBe(1 + multi.children.length + multi.attestations.length);
    if (containerd) {
      const imported = await sh(blocks.get("import-plain") as string, { ...ctrEnv(), ARCHIVE: file, IMAGE: ref });
      expect(imported.code).toBe(0);
      const listed = await sh(blocks.get("check") as string, { ...ctrEnv(), IMAGE: ref });
      expect(ctrImages(listed.stdout).get(ref)).toBe(multi.digest);
      const all = await containerd.ctr(["images", "import", "--all-platforms", file]);
      expect(all.code).toBe(0);
    }
    if (dockerd) {
      const loaded = await dockerd.docker(["load", "-i", file]);
      expect(loaded.stdout).toContain(`Loaded image: ${ref}`);
      const arch = await dockerd.docker(["image", "inspect", ref, "--format", "{{.Architecture}}"]);
      expect(arch.stdout.trim()).toBe("amd64");
    }
  });

  it("PLATFORM=linux/arm64 of that index: the archive's root is the registry's own arm64 manifest", async () => {
    const ref = `${reg.host}/viktor/multi:v1`;
    const arm = multi.children.find((c) => c.platform?.architecture === "arm64") as BuiltImage;
    const report = await save(saveConfig({ IMAGE: ref, DESTINATIONS: dirs[1] as string, PLATFORM: "linux/arm64" }), { log: testLogger() });
    expect(report.ok).toBe(true);
    expect([report.digest, report.sourceDigest]).toEqual([arm.digest, multi.digest]);
    const summary = await verifyArchive(join(dirs[1] as string, "multi-v1.tar"));
    expect([...summary.manifests.keys()]).toEqual([arm.digest]);
    expect((await stat(join(dirs[1] as string, "multi-v1.tar"))).size).toBe(report.size);
  });
});
