// The point of breakglass: a real registry -> save (two directories + S3) ->
// the runbook's own commands import it into a real containerd 1.6 and a real
// dockerd, by full name and with the registry's manifest digest.
import { readFile, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushImage,
  pushIndex,
  startContainerd,
  startDockerd,
  startRegistry,
  type BuiltImage,
  type BuiltIndex,
  type StartedContainerd,
  type StartedDockerd,
  type StartedRegistry,
  useTempDir,
} from "@regguard/testkit";
import { save, verifyArchive } from "../src/index.js";
import {
  containerdMissing,
  ctrImages,
  dockerdMissing,
  registryMissing,
  runbookBlocks,
  s3Object,
  saveConfig,
  sh,
  startS3,
  testLogger,
  S3_BUCKET,
  S3_KEYS,
  type StartedS3,
} from "./helpers.js";

/** Every directory a test here makes is removed after the file (testkit useTempDir). */
const tempDir = useTempDir("bg", afterAll);

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
  let three: BuiltIndex;
  let dirs: string[];
  let blocks: Map<string, string>;
  let image: string;

  beforeAll(async () => {
    [reg, s3, blocks] = await Promise.all([startRegistry(), startS3(), runbookBlocks()]);
    const daemons = Promise.all([
      containerdMissing
        ? undefined
        : startContainerd().then(
            (c) => (containerd = c),
            (e: Error) => void (down.containerd = e.message),
          ),
      dockerdMissing
        ? undefined
        : startDockerd().then(
            (d) => (dockerd = d),
            (e: Error) => void (down.dockerd = e.message),
          ),
    ]);
    img = await pushImage({ url: reg.url }, "viktor/infra-ci", "abc123", { layers: 3, layerSize: 64 * 1024, seed: "import" });
    multi = await pushIndex({ url: reg.url }, "viktor/multi", "v1", { attestations: true, seed: "import-multi", layerSize: 4096 });
    three = await pushIndex({ url: reg.url }, "viktor/three", "v1", {
      platforms: ["linux/amd64", "linux/arm64", "linux/s390x"],
      attestations: true,
      seed: "import-three",
      layerSize: 4096,
    });
    dirs = [tempDir("vm"), tempDir("nas")];
    image = `${reg.host}/viktor/infra-ci:abc123`;
    await daemons;
    for (const [name, why] of Object.entries(down)) console.warn(`${name} could not start here, its checks are skipped: ${why}`);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([containerd?.stop(), dockerd?.stop(), s3?.stop(), reg?.stop()]);
  });

  const saveTo = (env: Record<string, string>) =>
    save(
      saveConfig({
        IMAGE: image,
        DESTINATIONS: `${dirs.join(",")},s3://${S3_BUCKET}/snapshots`,
        S3_ENDPOINT: s3.endpoint,
        ...S3_KEYS,
        ...env,
      }),
      { log: testLogger() },
    );
  const ctrEnv = () => ({ CONTAINERD_ADDRESS: containerd?.address ?? "" });
  /** The daemon, or a skip that says why (it is installed but did not start: the reason was printed in beforeAll). */
  const need = <T>(ctx: { skip(note?: string): never }, name: "containerd" | "dockerd", daemon: T | undefined): T =>
    daemon ?? ctx.skip(`${name} did not start: ${down[name] ?? "unknown reason"}`);

  it("writes the same verified archive, sidecar and relative latest to two directories and S3", async () => {
    const report = await saveTo({});
    expect(report.destinations.map((d) => [d.destination, d.ok, d.error])).toEqual([
      [dirs[0], true, undefined],
      [dirs[1], true, undefined],
      [`s3://${S3_BUCKET}/snapshots`, true, undefined],
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
    expect(summary.sidecar).toBe("match"); // found through the symlink: the sidecar is named after the real file
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
    need(ctx, "containerd", containerd);
    const imported = await sh(blocks.get("import-plain") as string, { ...ctrEnv(), ARCHIVE: join(dirs[0] as string, "infra-ci-latest.tar"), IMAGE: image });
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    const listed = await sh(blocks.get("check") as string, { ...ctrEnv(), IMAGE: image });
    expect(ctrImages(listed.stdout)).toEqual(new Map([[image, img.digest]]));
  });

  it.skipIf(dockerdMissing)("runbook: docker load -i FILE tags the image with its full reference", async (ctx) => {
    const docker = need(ctx, "dockerd", dockerd);
    const loaded = await sh(blocks.get("docker-load") as string, {
      DOCKER_HOST: `unix://${docker.socket}`,
      ARCHIVE: join(dirs[0] as string, "infra-ci-abc123.tar"),
      IMAGE: image,
    });
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toContain(`Loaded image: ${image}`);
    const id = await docker.docker(["image", "inspect", image, "--format", "{{.Id}}"]);
    expect(id.stdout.trim()).toBe(img.config.digest);
  });

  const gzRef = () => `${reg.host}/viktor/infra-ci:gz1`;
  const gzFile = () => join(dirs[0] as string, "infra-ci-gz1.tar.gz");
  let gz: BuiltImage;

  it("COMPRESS=gzip: a .tar.gz next to the plain series, verified, the same bytes in S3", async () => {
    image = gzRef();
    gz = await pushImage({ url: reg.url }, "viktor/infra-ci", "gz1", { layers: 2, layerSize: 32 * 1024, seed: "gz" });
    const report = await saveTo({ COMPRESS: "gzip" });
    expect(report.ok).toBe(true);
    const file = gzFile();
    expect((await readFile(file)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await readlink(join(dirs[0] as string, "infra-ci-latest.tar.gz"))).toBe("infra-ci-gz1.tar.gz");
    expect(await readlink(join(dirs[0] as string, "infra-ci-latest.tar"))).toBe("infra-ci-abc123.tar"); // the plain series is untouched
    expect((await verifyArchive(file)).sidecar).toBe("match");
    expect((await s3Object(s3, "snapshots/infra-ci-gz1.tar.gz"))?.equals(await readFile(file))).toBe(true);
  });

  it.skipIf(containerdMissing)(
    "COMPRESS=gzip: containerd 1.6 refuses the file itself; the runbook's gunzip | ctr import names it with the registry's digest",
    async (ctx) => {
      need(ctx, "containerd", containerd);
      const ref = gzRef();
      // docs/design.md, B4: containerd 1.6 cannot read the gzipped file directly.
      const direct = await sh(blocks.get("import-plain") as string, { ...ctrEnv(), ARCHIVE: gzFile(), IMAGE: ref });
      expect(direct.code).not.toBe(0);
      const imported = await sh(blocks.get("import-gzip") as string, { ...ctrEnv(), ARCHIVE: gzFile(), IMAGE: ref });
      expect(imported.code).toBe(0);
      const listed = await sh(blocks.get("check") as string, { ...ctrEnv(), IMAGE: ref });
      expect(ctrImages(listed.stdout).get(ref)).toBe(gz.digest);
    },
  );

  it.skipIf(dockerdMissing)("COMPRESS=gzip: the runbook's docker load reads the .tar.gz as it is", async (ctx) => {
    const docker = need(ctx, "dockerd", dockerd);
    const loaded = await sh(blocks.get("docker-load") as string, { DOCKER_HOST: `unix://${docker.socket}`, ARCHIVE: gzFile(), IMAGE: gzRef() });
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toContain(`Loaded image: ${gzRef()}`);
  });

  const multiRef = () => `${reg.host}/viktor/multi:v1`;
  const multiFile = () => join(dirs[0] as string, "multi-v1.tar");

  it("PLATFORM=all: a multi-arch index with attestations is archived whole, with the index digest", async () => {
    const report = await save(saveConfig({ IMAGE: multiRef(), DESTINATIONS: dirs[0] as string, PLATFORM: "all" }), { log: testLogger() });
    expect(report.ok).toBe(true);
    expect(report.digest).toBe(multi.digest);
    expect(report.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    const summary = await verifyArchive(multiFile());
    expect(summary.manifests.size).toBe(1 + multi.children.length + multi.attestations.length);
  });

  it.skipIf(containerdMissing)("PLATFORM=all: containerd keeps the index digest, and imports every platform with --all-platforms", async (ctx) => {
    const ctrd = need(ctx, "containerd", containerd);
    const ref = multiRef();
    const imported = await sh(blocks.get("import-plain") as string, { ...ctrEnv(), ARCHIVE: multiFile(), IMAGE: ref });
    expect(imported.code).toBe(0);
    const listed = await sh(blocks.get("check") as string, { ...ctrEnv(), IMAGE: ref });
    expect(ctrImages(listed.stdout).get(ref)).toBe(multi.digest);
    const all = await ctrd.ctr(["images", "import", "--all-platforms", multiFile()]);
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
  });

  it.skipIf(dockerdMissing)("PLATFORM=all: docker load tags the amd64 image with the full reference", async (ctx) => {
    const docker = need(ctx, "dockerd", dockerd);
    const loaded = await docker.docker(["load", "-i", multiFile()]);
    expect(loaded.stdout).toContain(`Loaded image: ${multiRef()}`);
    const arch = await docker.docker(["image", "inspect", multiRef(), "--format", "{{.Architecture}}"]);
    expect(arch.stdout.trim()).toBe("amd64");
  });

  it.skipIf(containerdMissing)(
    "a PLATFORM list trims the index to a complete one that ctr imports with --all-platforms, under the archive's digest",
    async (ctx) => {
      const ctrd = need(ctx, "containerd", containerd);
      const ref = `${reg.host}/viktor/three:v1`;
      const report = await save(saveConfig({ IMAGE: ref, DESTINATIONS: dirs[1] as string, PLATFORM: "linux/amd64,linux/s390x" }), { log: testLogger() });
      expect(report.ok).toBe(true);
      expect(report.platforms).toEqual(["linux/amd64", "linux/s390x"]);
      expect(report.sourceDigest).toBe(three.digest);
      expect(report.digest).not.toBe(three.digest); // a trimmed index is a new document
      const file = join(dirs[1] as string, "three-v1.tar");
      const kept = three.children.filter((c) => c.platform?.architecture !== "arm64");
      const summary = await verifyArchive(file);
      expect([...summary.manifests.keys()]).toEqual(expect.arrayContaining([report.digest, ...kept.map((c) => c.digest)]));
      expect([...summary.manifests.keys()]).not.toContain((three.children.find((c) => c.platform?.architecture === "arm64") as BuiltImage).digest);
      // Every platform the index still lists must be in the archive, or this import fails on a missing blob.
      const all = await ctrd.ctr(["images", "import", "--all-platforms", file]);
      expect(all.stderr).toBe("");
      expect(all.code).toBe(0);
      const listed = await sh(blocks.get("check") as string, { ...ctrEnv(), IMAGE: ref });
      expect(ctrImages(listed.stdout).get(ref)).toBe(report.digest);
      for (const child of kept) expect((await ctrd.ctr(["content", "get", child.digest])).code, child.digest).toBe(0);
    },
  );

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
