// Walk behaviours on the real registry:2: one fetch per digest, the client's
// concurrency limit as the registry sees it, nested indexes, and size and
// missing-child findings with blob checks on and off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "undici";
import {
  pushImage,
  pushIndex,
  pushManifest,
  startCountingProxy,
  startRegistry,
  type BuiltImage,
  type PushTarget,
  type StartedRegistry,
} from "@regguard/testkit";
import { MEDIA_TYPE, RegistryClient, walkImage, walkRegistry, type Finding, type WalkEvent, type WalkOptions } from "../src/index.js";

let registry: StartedRegistry;
let target: PushTarget;
beforeAll(async () => {
  registry = await startRegistry();
  target = { url: registry.url };
});
afterAll(async () => registry?.stop());

async function walk(url: string, opts: WalkOptions, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): Promise<WalkEvent[]> {
  const client = new RegistryClient({ url, retryBaseMs: 10, ...extra });
  const out: WalkEvent[] = [];
  try {
    for await (const e of walkRegistry(client, opts)) out.push(e);
  } finally {
    await client.close();
  }
  return out;
}
const findings = (events: WalkEvent[]): Finding[] => events.flatMap((e) => (e.type === "finding" ? [e.finding] : []));

/** An OCI index over `children`, pushed under `tag` (or by digest); `sizeDelta` falsifies every descriptor size. */
async function pushIndexOf(repo: string, tag: string | undefined, children: Array<{ digest: string; mediaType: string; manifest: Uint8Array }>, sizeDelta = 0) {
  const raw = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociIndex,
      manifests: children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.manifest.length + sizeDelta })),
    }),
  );
  const digest = await pushManifest(target, repo, tag, MEDIA_TYPE.ociIndex, raw);
  return { digest, mediaType: MEDIA_TYPE.ociIndex, manifest: raw };
}

describe.each([true, false])("walk with checkBlobs %s", (checkBlobs) => {
  it("fetches each manifest digest once however many tags and indexes reach it", async () => {
    const repo = `shared/app-${checkBlobs}`;
    // Reached three ways: eight tags on one index, a second index over the same
    // children, and the children's own tags.
    const built = await pushIndex(target, repo, "t0", { attestations: true, childTags: true, seed: repo });
    for (let i = 1; i < 8; i++) await pushManifest(target, repo, `t${i}`, built.mediaType, built.manifest);
    await pushIndexOf(repo, "other", [...built.children, ...built.attestations]);
    const proxy = await startCountingProxy(registry.url, { delayMs: 5 });
    try {
      const events = await walk(proxy.url, { repositories: [repo], checkBlobs });
      expect(findings(events)).toEqual([]);
      const perPath = new Map<string, number>();
      for (const r of proxy.requests) if (/\/(manifests|blobs)\/sha256:/.test(r.path)) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
      // The 2 attestations (no tags: always reached by digest), the 2 platform children unless their
      // own tags got there first (the order is the scheduler's), and with blob checks the blobs.
      expect(perPath.size).toBeGreaterThanOrEqual(checkBlobs ? 4 : 2);
      expect([...perPath].filter(([, n]) => n !== 1)).toEqual([]);
      const byTag = proxy.requests.filter((r) => /\/manifests\/[^/:]+$/.test(r.path)).map((r) => r.path.split("/").at(-1));
      expect(byTag.sort()).toEqual(["other", "t0", "t0-amd64", "t0-arm64", "t1", "t2", "t3", "t4", "t5", "t6", "t7"]);
    } finally {
      await proxy.stop();
    }
  });

  it("walks an index nested in an index and reports its missing grandchild", async () => {
    const repo = `nested/app-${checkBlobs}`;
    const [a, b, c] = (await Promise.all(["a", "b", "c"].map((s) => pushImage(target, repo, undefined, { seed: `${repo}-${s}` })))) as [
      BuiltImage,
      BuiltImage,
      BuiltImage,
    ];
    const inner = await pushIndexOf(repo, undefined, [a, b]);
    const outer = await pushIndexOf(repo, "latest", [inner, c]);
    await registry.corruptRevisionLink(repo, b.digest);
    const events = await walk(registry.url, { repositories: [repo], checkBlobs });
    expect(events).toContainEqual(expect.objectContaining({ type: "manifest", digest: inner.digest, kind: "index", parent: outer.digest }));
    expect(events).toContainEqual(expect.objectContaining({ type: "manifest", digest: a.digest, kind: "image", parent: inner.digest }));
    expect(findings(events)).toEqual([
      expect.objectContaining({ kind: "child_missing", repository: repo, tag: "latest", digest: b.digest, parent: inner.digest, status: 404 }),
    ]);
  });

  it("reports an index child missing from the registry (distribution#3324) as child_missing", async () => {
    const repo = `orphan/app-${checkBlobs}`;
    const built = await pushIndex(target, repo, "latest", { seed: repo });
    const victim = built.children[1]!;
    await registry.corruptRevisionLink(repo, victim.digest);
    expect(findings(await walk(registry.url, { repositories: [repo], checkBlobs }))).toEqual([
      expect.objectContaining({ kind: "child_missing", repository: repo, tag: "latest", digest: victim.digest, parent: built.digest, status: 404 }),
    ]);
  });

  it("reports an index child whose size differs from its descriptor as size_mismatch", async () => {
    const repo = `sized/app-${checkBlobs}`;
    const image = await pushImage(target, repo, undefined, { seed: repo });
    const inner = await pushIndexOf(repo, undefined, [image]);
    const outer = await pushIndexOf(repo, "latest", [image, inner], 1);
    const found = findings(await walk(registry.url, { repositories: [repo], checkBlobs }));
    expect(found).toHaveLength(2);
    for (const child of [image, inner]) {
      expect(found).toContainEqual(expect.objectContaining({ kind: "size_mismatch", repository: repo, digest: child.digest, parent: outer.digest }));
    }
  });
});

describe("the client's concurrency limit, as the registry sees it", () => {
  beforeAll(async () => {
    for (let r = 0; r < 4; r++) {
      for (let t = 0; t < 3; t++) await pushImage(target, `busy/r${r}`, `t${t}`, { layers: 2, seed: `busy-${r}-${t}` });
    }
  });
  const repositories = [0, 1, 2, 3].map((r) => `busy/r${r}`);

  /**
   * The most requests the proxy had in flight during a walk, on events rather than a delay: every
   * request is held until `hold` of them wait together, or until no new one arrived for QUIET_MS
   * (the end of the walk, or a client keeping to fewer). A client that keeps to N reaches exactly N
   * at its first batch (the walk queues more than N from the start) and can never show N + 1 when
   * `hold` is N + 1; how fast the machine is changes only how long the walk takes.
   */
  async function maxInFlight(extra: Partial<ConstructorParameters<typeof RegistryClient>[0]>, hold: number): Promise<number> {
    const QUIET_MS = 100;
    const proxy = await startCountingProxy(registry.url);
    let held: Array<() => void> = [];
    let quiet: NodeJS.Timeout | undefined;
    const releaseAll = () => {
      clearTimeout(quiet);
      const go = held;
      held = [];
      for (const release of go) release();
    };
    const gate = () =>
      new Promise<void>((resolve) => {
        held.push(resolve);
        clearTimeout(quiet);
        if (held.length >= hold) releaseAll();
        else quiet = setTimeout(releaseAll, QUIET_MS);
      });
    for (const method of ["GET", "HEAD"]) proxy.rules.beforeNext({ method, pathIncludes: "/v2/" }, gate, Number.POSITIVE_INFINITY);
    try {
      expect(findings(await walk(proxy.url, { repositories, concurrency: 16 }, extra))).toEqual([]);
      return proxy.maxInFlight;
    } finally {
      releaseAll();
      await proxy.stop();
    }
  }

  it("holds a walk to 3 requests in flight with the client's own dispatcher", async () => {
    expect(await maxInFlight({ concurrency: 3 }, 4)).toBe(3);
  });

  it("holds a walk to 3 requests in flight when a caller's dispatcher allows many more connections", async () => {
    const dispatcher = new Agent({ connections: 64 });
    try {
      expect(await maxInFlight({ concurrency: 3, dispatcher }, 4)).toBe(3);
    } finally {
      await dispatcher.close();
    }
  });

  it("lets more through when the limit is higher (the proxy does see overlap)", async () => {
    expect(await maxInFlight({ concurrency: 12 }, 13)).toBeGreaterThan(3);
  });
});

// What the walk reports when a listed tag or a blob is gone, how it samples tags, and how it finds
// an index behind a descriptor that names no media type: before these, only the probe's tests
// (which spawn the built job, out of the mutation run's sight) reached these lines of walk.ts.
describe("findings and sampling on the real registry", () => {
  it("a listed tag whose manifest answers 404 is manifest_missing, named by tag; by digest, named by digest", async () => {
    const repo = "gone/app";
    const image = await pushImage(target, repo, "v1", { seed: repo });
    const proxy = await startCountingProxy(registry.url);
    const unknown = { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };
    try {
      proxy.rules.failNext({ method: "GET", pathIncludes: `/v2/${repo}/manifests/v1` }, unknown, 4);
      expect(findings(await walk(proxy.url, { repositories: [repo] }))).toEqual([
        expect.objectContaining({ kind: "manifest_missing", repository: repo, tag: "v1", status: 404, registryCode: "MANIFEST_UNKNOWN" }),
      ]);
      const client = new RegistryClient({ url: proxy.url, retryBaseMs: 10 });
      proxy.rules.failNext({ method: "GET", pathIncludes: `/v2/${repo}/manifests/${image.digest}` }, unknown, 4);
      const byDigest: Finding[] = [];
      try {
        for await (const e of walkImage(client, repo, image.digest)) if (e.type === "finding") byDigest.push(e.finding);
      } finally {
        await client.close();
      }
      expect(byDigest).toEqual([expect.objectContaining({ kind: "manifest_missing", repository: repo, digest: image.digest, status: 404 })]);
      expect(byDigest[0]?.tag).toBeUndefined();
    } finally {
      await proxy.stop();
    }
  });

  it("a layer whose data is gone is blob_missing with its image, tag and repository; blobs off, nobody looks", async () => {
    const repo = "blobless/app";
    const image = await pushImage(target, repo, "v1", { seed: repo, layers: 2 });
    const layer = image.layers[1]!;
    await registry.deleteBlobData(layer.digest);
    expect(findings(await walk(registry.url, { repositories: [repo], checkBlobs: true }))).toEqual([
      expect.objectContaining({ kind: "blob_missing", repository: repo, digest: layer.digest, parent: image.digest, tag: "v1", status: 404 }),
    ]);
    expect(findings(await walk(registry.url, { repositories: [repo], checkBlobs: false }))).toEqual([]);
  });

  it("tagsPerRepo walks latest and the newest-looking others only", async () => {
    const repo = "sampled/app";
    const image = await pushImage(target, repo, "v2", { seed: repo, layers: 0 });
    for (const tag of ["v10", "v9", "latest", "v1"]) await pushManifest(target, repo, tag, image.mediaType, image.manifest);
    const tags = (await walk(registry.url, { repositories: [repo], tagsPerRepo: 2 })).flatMap((e) => (e.type === "tag" ? [e.tag] : []));
    expect(tags.sort()).toEqual(["latest", "v10"]);
  });

  it("blobs off: a child descriptor without mediaType whose HEAD says index is fetched and walked into", async () => {
    const repo = "untyped/app";
    const [a, b] = (await Promise.all(["a", "b"].map((s) => pushImage(target, repo, undefined, { seed: `${repo}-${s}` })))) as [BuiltImage, BuiltImage];
    const inner = await pushIndexOf(repo, undefined, [a, b]);
    const raw = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests: [{ digest: inner.digest, size: inner.manifest.length }] }),
    );
    const outer = await pushManifest(target, repo, "latest", MEDIA_TYPE.ociIndex, raw);
    const events = await walk(registry.url, { repositories: [repo], checkBlobs: false });
    expect(findings(events)).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: "manifest", digest: inner.digest, kind: "index", parent: outer }));
    for (const child of [a, b]) {
      expect(events).toContainEqual(
        expect.objectContaining({ type: "manifest", digest: child.digest, kind: "image", parent: inner.digest, tag: "latest", mediaType: child.mediaType }),
      );
    }
  });
});
