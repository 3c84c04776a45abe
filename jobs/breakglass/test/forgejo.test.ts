// Breakglass against Forgejo itself, on the fake and on the pinned real server (same assertions):
// save an image and a multi-arch index with attestations from Forgejo with a PAT, then restore
// them into Forgejo with the same digests, including the incident case: the tag's version was
// deleted through the packages API and the archive brings it back.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { RegistryClient, parseReference } from "@regguard/oci-client";
import { pushImage, pushIndex, replayTargets, type BuiltImage, type BuiltIndex, type ReplayServer, useTempDir } from "@regguard/testkit";
import { restoreArchive, save, verifyArchive } from "../src/index.js";
import { saveConfig, testLogger } from "./helpers.js";

/** Every directory a test here makes is removed after the file (testkit useTempDir). */
const tempDir = useTempDir("bg", afterAll);

describe.each(replayTargets("breakglass save and restore"))("breakglass with Forgejo: $name", ({ start, skip }) => {
  if (skip !== undefined) return void it.skip(`skipped: ${skip}`, () => undefined);
  let server: ReplayServer;
  let img: BuiltImage;
  let multi: BuiltIndex;
  let dir: string;
  const auth = () => ({ REGISTRY_URL: server.url, REGISTRY_USERNAME: "viktor", REGISTRY_PASSWORD: server.user("viktor").token });
  const client = () => new RegistryClient({ url: server.url, username: "viktor", password: server.user("viktor").token });

  beforeAll(async () => {
    server = await start({ users: [{ login: "viktor" }] });
    const t = { url: server.url, username: "viktor", password: server.user("viktor").token };
    img = await pushImage(t, "viktor/infra-ci", "abc123", { layers: 3, layerSize: 20_000, seed: "bg-fj" });
    multi = await pushIndex(t, "viktor/site", "latest", { attestations: true, seed: "bg-fj-multi", layerSize: 2048 });
    dir = tempDir("forgejo");
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("save from Forgejo with a PAT: the archive verifies and carries the registry's digests", async () => {
    for (const [ref, platform] of [
      [`${server.host}/viktor/infra-ci:abc123`, "linux/amd64"],
      [`${server.host}/viktor/site:latest`, "all"],
    ] as const) {
      const report = await save(saveConfig({ ...auth(), IMAGE: ref, DESTINATIONS: dir, PLATFORM: platform }), { log: testLogger() });
      expect(report.ok).toBe(true);
    }
    expect((await verifyArchive(join(dir, "infra-ci-abc123.tar"))).images[0]?.descriptor.digest).toBe(img.digest);
    const all = await verifyArchive(join(dir, "site-latest.tar"));
    expect(all.images[0]?.descriptor.digest).toBe(multi.digest);
  });

  it("restore into Forgejo keeps the digests, index children and attestations included", async () => {
    const c = client();
    try {
      const one = await restoreArchive(join(dir, "infra-ci-abc123.tar"), c, parseReference(`${server.host}/viktor/restored:abc123`), memoryLogger());
      expect(one.digest).toBe(img.digest);
      expect((await c.headManifest("viktor/restored", "abc123")).digest).toBe(img.digest);
      const idx = await restoreArchive(join(dir, "site-latest.tar"), c, parseReference(`${server.host}/viktor/site-copy:latest`), memoryLogger());
      expect(idx.digest).toBe(multi.digest);
      expect((await c.manifest("viktor/site-copy", "latest")).digest).toBe(multi.digest);
      for (const child of [...multi.children, ...multi.attestations]) {
        const m = await c.manifest("viktor/site-copy", child.digest);
        expect(m.digest).toBe(child.digest);
        if (m.kind === "image") for (const l of m.layers) await c.checkBlob("viktor/site-copy", l);
      }
      // On Forgejo the children become untagged sha256: versions of the package, as a buildx push makes them.
      const versions = server
        .versions("viktor", "site-copy")
        .map((v) => v.version)
        .sort();
      expect(versions).toEqual(["latest", ...[...multi.children, ...multi.attestations].map((c) => c.digest)].sort());
    } finally {
      await c.close();
    }
  });

  it("the incident: the tag's version deleted through the packages API; restore brings the tag back with its digest", async () => {
    const del = await fetch(`${server.url}/api/v1/packages/viktor/container/infra-ci/abc123`, {
      method: "DELETE",
      headers: { authorization: `token ${server.user("viktor").token}` },
    });
    expect(del.status).toBe(204);
    const c = client();
    try {
      await expect(c.headManifest("viktor/infra-ci", "abc123")).rejects.toThrow();
      const back = await restoreArchive(join(dir, "infra-ci-abc123.tar"), c, parseReference(`${server.host}/viktor/infra-ci:abc123`), memoryLogger());
      expect(back.digest).toBe(img.digest);
      expect((await c.headManifest("viktor/infra-ci", "abc123")).digest).toBe(img.digest);
      expect(server.versions("viktor", "infra-ci").map((v) => v.version)).toContain("abc123");
    } finally {
      await c.close();
    }
  });
});
