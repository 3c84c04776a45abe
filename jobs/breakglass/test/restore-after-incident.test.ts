// restore in the state an incident leaves: the target registry still holds the blobs (it lost a
// manifest, or this is a re-run), and an operator's credentials may be wrong. Layers over 4 MiB
// stream from the archive, which is the path that used to stall (exit 13, no output) and to blame
// a 401 on the archive ("truncated (Premature close)"). Real registry:2 with htpasswd; the built
// CLI too, since an event loop that drains is only visible in a real process (issue 12).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { RegistryClient, parseReference } from "@regguard/oci-client";
import { pushImage, startRegistry, type BuiltImage, type StartedRegistry, useTempDir } from "@regguard/testkit";
import { ArchiveInvalidError, restoreArchive, save } from "../src/index.js";
import { PACKAGE_DIR, registryMissing, saveConfig, sh, testLogger } from "./helpers.js";

/** Every directory a test here makes is removed after the file (testkit useTempDir). */
const tempDir = useTempDir("bg", afterAll);

if (registryMissing) console.warn(`skipping restore-after-incident tests: ${registryMissing}`);

/** Over the 4 MiB that archive-read keeps in memory: these layers stream. */
const BIG_LAYER = 5 * 1024 * 1024;

describe.skipIf(registryMissing)("restore after an incident", () => {
  let source: StartedRegistry;
  let target: StartedRegistry;
  let img: BuiltImage;
  let archive: string;
  const PAT = "incident-pat-456";
  beforeAll(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry({ auth: "htpasswd", username: "ci-pusher", password: PAT })]);
    img = await pushImage({ url: source.url }, "viktor/big", "v1", { layers: 2, layerSize: BIG_LAYER, seed: "incident" });
    const dir = tempDir("restore-incident");
    const report = await save(saveConfig({ IMAGE: `${source.host}/viktor/big:v1`, DESTINATIONS: dir }), { log: testLogger() });
    expect(report.ok).toBe(true);
    archive = join(dir, "big-v1.tar");
  }, 120_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const client = (password = PAT) => new RegistryClient({ url: target.url, username: "ci-pusher", password, retryBaseMs: 5 });

  it("a target that already has every blob: each is read through, the manifest is pushed, the new tag resolves", async () => {
    const c = client();
    try {
      const first = await restoreArchive(archive, c, parseReference(`${target.host}/viktor/big:v1`), memoryLogger());
      expect(first).toMatchObject({ digest: img.digest, blobsPushed: 3, blobsPresent: 0 });
      // The registry now holds the blobs; a tag it has never seen stands for the lost manifest.
      const again = await restoreArchive(archive, c, parseReference(`${target.host}/viktor/big:restored`), memoryLogger());
      expect(again).toMatchObject({ digest: img.digest, blobsPushed: 0, blobsPresent: 3, manifests: 1 });
      expect((await c.headManifest("viktor/big", "restored")).digest).toBe(img.digest);
    } finally {
      await c.close();
    }
  }, 60_000);

  it("the built CLI restores over present blobs and exits 0 right after its last line", async () => {
    const env = { ARCHIVE: archive, IMAGE: `${target.host}/viktor/big:cli`, REGISTRY_USERNAME: "ci-pusher", REGISTRY_PASSWORD: PAT, REGISTRY_INSECURE: "true" };
    const r = await sh(`node ${join(PACKAGE_DIR, "dist/main.js")} restore "$ARCHIVE" "$IMAGE"`, env);
    expect(r.stderr + r.stdout).not.toContain("stopped before it finished");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/"msg":"restored".*"blobsPushed":0/);
    const c = client();
    try {
      expect((await c.headManifest("viktor/big", "cli")).digest).toBe(img.digest);
    } finally {
      await c.close();
    }
  }, 60_000);

  it("wrong credentials are reported as the registry's 401, never as a damaged archive", async () => {
    const c = client("not-the-pat");
    try {
      const e = await restoreArchive(archive, c, parseReference(`${target.host}/viktor/big:denied`), memoryLogger()).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(ArchiveInvalidError);
      expect((e as Error).message).toMatch(/401/);
      expect((e as Error).message).not.toMatch(/truncated|Premature close/i);
    } finally {
      await c.close();
    }
  }, 60_000);
});
