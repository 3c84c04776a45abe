// The client against the real registry:2 (Debian docker-registry) in each
// auth mode: listing, manifests, blobs, push, walk.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, pushIndex, startRegistry, type RegistryAuth, type StartedRegistry } from "@regguard/testkit";
import { MEDIA_TYPE, NotFoundError, RegistryClient, UnauthorizedError, digestOf, walkRegistry, type WalkEvent } from "../src/index.js";

async function collect(events: AsyncIterable<WalkEvent>): Promise<WalkEvent[]> {
  const out: WalkEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe.each<RegistryAuth>(["none", "htpasswd", "token"])("real registry, auth %s", (auth) => {
  let registry: StartedRegistry;
  let client: RegistryClient;

  beforeAll(async () => {
    registry = await startRegistry({ auth });
    const target = { url: registry.url, username: registry.username, password: registry.password };
    await pushImage(target, "viktor/app", "v1", { layers: 2, seed: `app-${auth}` });
    await pushIndex(target, "viktor/multi", "latest", { attestations: true, seed: `multi-${auth}` });
    await pushIndex(target, "viktor/list", "1.0", { format: "docker", seed: `list-${auth}` });
    for (let i = 0; i < 5; i++) await pushImage(target, "other/repo", `t${i}`, { seed: `o-${auth}` });
    client = new RegistryClient({ url: registry.url, username: registry.username, password: registry.password, retryBaseMs: 10 });
  });
  afterAll(async () => {
    await client?.close();
    await registry?.stop();
  });

  it("lists the catalog across pages and filters by prefix", async () => {
    const all: string[] = [];
    for await (const r of client.repositories({ pageSize: 2 })) all.push(r);
    expect(all.sort()).toEqual(["other/repo", "viktor/app", "viktor/list", "viktor/multi"]);
    const mine: string[] = [];
    for await (const r of client.repositories({ prefix: "Viktor/", pageSize: 1 })) mine.push(r);
    expect(mine.sort()).toEqual(["viktor/app", "viktor/list", "viktor/multi"]);
  });

  it("lists tags across pages", async () => {
    expect((await client.tags("other/repo", { pageSize: 2 })).sort()).toEqual(["t0", "t1", "t2", "t3", "t4"]);
  });

  it("reads an OCI index and a Docker manifest list and verifies their digests", async () => {
    const idx = await client.manifest("viktor/multi", "latest");
    expect(idx.kind).toBe("index");
    expect(idx.mediaType).toBe(MEDIA_TYPE.ociIndex);
    expect(digestOf(idx.raw)).toBe(idx.digest);
    const list = await client.manifest("viktor/list", "1.0");
    expect(list.mediaType).toBe(MEDIA_TYPE.dockerList);
    const head = await client.headManifest("viktor/multi", "latest");
    expect(head.digest).toBe(idx.digest);
  });

  it("streams a blob with digest verification and HEADs with a size check", async () => {
    const m = await client.manifest("viktor/app", "v1");
    if (m.kind !== "image") throw new Error("expected an image");
    const layer = m.layers[0]!;
    await client.checkBlob("viktor/app", layer);
    const chunks: Buffer[] = [];
    for await (const c of await client.openBlob("viktor/app", layer)) chunks.push(c as Buffer);
    expect(digestOf(Buffer.concat(chunks))).toBe(layer.digest);
    await expect(client.checkBlob("viktor/app", { digest: layer.digest, size: layer.size + 1 })).rejects.toThrow(/descriptor says/);
  });

  it("reads a repository that has only untagged manifests as having no tags (registry:2 says NAME_UNKNOWN)", async () => {
    await pushImage({ url: registry.url, username: registry.username, password: registry.password }, "viktor/untagged", undefined, { seed: `u-${auth}` });
    expect(await client.tags("viktor/untagged")).toEqual([]);
    await expect(client.tags("viktor/never-pushed")).resolves.toEqual([]);
  });

  it("answers a missing manifest with NotFoundError carrying MANIFEST_UNKNOWN", async () => {
    const err = await client.manifest("viktor/app", "nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).registryCode).toBe("MANIFEST_UNKNOWN");
  });

  it("pushes blobs and a manifest that read back with the same digest", async () => {
    const config = new TextEncoder().encode(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const cfgDigest = await client.pushBlob("viktor/pushed", config);
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE.ociManifest,
        config: { mediaType: MEDIA_TYPE.ociConfig, digest: cfgDigest, size: config.length },
        layers: [],
      }),
    );
    const digest = await client.putManifest("viktor/pushed", "v1", manifest, MEDIA_TYPE.ociManifest);
    expect((await client.manifest("viktor/pushed", digest)).digest).toBe(digest);
  });

  it("walks everything with no findings on a healthy registry", async () => {
    const events = await collect(walkRegistry(client, { prefix: "viktor/" }));
    expect(events.filter((e) => e.type === "finding")).toEqual([]);
    const indexes = events.filter((e) => e.type === "manifest" && e.kind === "index");
    expect(indexes).toHaveLength(2);
    // multi: 2 platforms + 2 attestations; list: 2 platforms; app; pushed
    expect(events.filter((e) => e.type === "manifest")).toHaveLength(2 + 4 + 2 + 1 + 1);
    expect(events.some((e) => e.type === "blob")).toBe(true);
  });

  if (auth !== "none") {
    it("fails with UnauthorizedError and no secret in the message on a wrong password", async () => {
      const bad = new RegistryClient({ url: registry.url, username: registry.username, password: "wrong-password-123", retryBaseMs: 10 });
      const err = await bad.tags("viktor/app").catch((e: unknown) => e);
      await bad.close();
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect(String((err as Error).message)).not.toContain("wrong-password-123");
    });
  }

  if (auth === "token") {
    it("caches tokens per scope instead of fetching one per request", async () => {
      const before = client.stats.tokenRequests;
      for (let i = 0; i < 5; i++) await client.headManifest("viktor/app", "v1");
      expect(client.stats.tokenRequests - before).toBeLessThanOrEqual(1);
    });
  }
});

describe("distribution#3324 corruption on the real registry", () => {
  let registry: StartedRegistry;
  afterAll(async () => registry?.stop());

  it("finds the orphaned child while the index is still served", async () => {
    registry = await startRegistry();
    const built = await pushIndex({ url: registry.url }, "viktor/kms-website", "latest", { seed: "kms" });
    const victim = built.children[1]!;
    await registry.corruptRevisionLink("viktor/kms-website", victim.digest);
    const client = new RegistryClient({ url: registry.url, retryBaseMs: 10 });
    expect((await client.manifest("viktor/kms-website", "latest")).digest).toBe(built.digest);
    const findings = (await collect(walkRegistry(client))).flatMap((e) => (e.type === "finding" ? [e.finding] : []));
    await client.close();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: "child_missing",
      repository: "viktor/kms-website",
      tag: "latest",
      digest: victim.digest,
      parent: built.digest,
      status: 404,
    });
  });
});
