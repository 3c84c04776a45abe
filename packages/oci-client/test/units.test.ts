import { describe, expect, it } from "vitest";
import {
  forEachBounded,
  Limiter,
  MAX_MANIFEST_DEPTH,
  nestingDepth,
  safeUrl,
  DigestMismatchError,
  InvalidManifestError,
  InvalidReferenceError,
  MEDIA_TYPE,
  UntrustedLinkError,
  digestOf,
  formatReference,
  naturalCompare,
  nextLink,
  parseChallenge,
  parseManifest,
  parseReference,
  retryDelayMs,
  sampleTags,
} from "../src/index.js";

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const D = (c: string) => `sha256:${c.repeat(64)}`;

describe("parseReference", () => {
  it("parses host, port, nested path, tag and digest", () => {
    const r = parseReference(`127.0.0.1:5000/viktor/team/app:v1.2@${D("a")}`);
    expect(r).toEqual({ registry: "127.0.0.1:5000", repository: "viktor/team/app", tag: "v1.2", digest: D("a") });
    expect(formatReference(r)).toBe(`127.0.0.1:5000/viktor/team/app:v1.2@${D("a")}`);
    expect(parseReference("forgejo.viktorbarzin.me/viktor/infra-ci").tag).toBeUndefined();
  });
  it.each([
    ["", /empty/],
    ["infra-ci:latest", /registry host/],
    ["viktor/infra-ci:latest", /not a registry host/],
    ["https://forgejo.example/viktor/app:1", /scheme/],
    ["forgejo.example/Viktor/app:1", /path component "Viktor"/],
    ["forgejo.example/viktor/app:bad tag", /whitespace/],
    ["forgejo.example/viktor/app@sha256:abc", /sha256:<64 hex>/],
    ["forgejo.example:99999/viktor/app", /out of range/],
    ["forgejo.example/viktor/../app", /path component/],
  ])("rejects %j with a clear message", (input, message) => {
    expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    expect(() => parseReference(input)).toThrow(message);
  });
});

describe("parseManifest", () => {
  const image = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociManifest,
    config: { mediaType: MEDIA_TYPE.ociConfig, digest: D("c"), size: 2 },
    layers: [{ mediaType: MEDIA_TYPE.ociLayerGzip, digest: D("1"), size: 10 }],
  };
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: MEDIA_TYPE.ociManifest, digest: D("b"), size: 100, platform: { os: "linux", architecture: "arm64" } }],
  };

  it("detects an index by body shape when mediaType is absent and Content-Type lies", () => {
    const m = parseManifest(enc(index), { what: "t", contentType: "application/json" });
    expect(m.kind).toBe("index");
    expect(m.kind === "index" && m.manifests[0]?.platform?.architecture).toBe("arm64");
  });
  it("keeps raw bytes and the body's digest", () => {
    const raw = enc(image);
    const m = parseManifest(raw, { what: "t", contentType: MEDIA_TYPE.ociManifest, headerDigest: digestOf(raw) });
    expect(m.kind).toBe("image");
    expect(m.digest).toBe(digestOf(raw));
    expect(m.raw).toBe(raw);
  });
  it("refuses a body that does not hash to the requested or announced digest", () => {
    expect(() => parseManifest(enc(image), { what: "t", requestedDigest: D("f") })).toThrow(DigestMismatchError);
    expect(() => parseManifest(enc(image), { what: "t", headerDigest: D("f") })).toThrow(/Docker-Content-Digest/);
  });
  it("refuses contradictions, non-JSON, schema 1 and bad descriptors", () => {
    expect(() => parseManifest(enc({ ...index, mediaType: MEDIA_TYPE.ociManifest }), { what: "t" })).toThrow(/looks like an index/);
    expect(() => parseManifest(new TextEncoder().encode("<html>"), { what: "t" })).toThrow(InvalidManifestError);
    expect(() => parseManifest(enc({ schemaVersion: 1, fsLayers: [] }), { what: "t" })).toThrow(/schema 1/);
    expect(() => parseManifest(enc({ ...image, layers: [{ digest: "sha256:zz", size: 1 }] }), { what: "t" })).toThrow(/layers\[0\]\.digest/);
    expect(() => parseManifest(enc({ schemaVersion: 2 }), { what: "t" })).toThrow(/cannot tell/);
  });
});

describe("protocol helpers", () => {
  it("parses Bearer and Basic challenges", () => {
    expect(parseChallenge('Bearer realm="https://f.example/v2/token",service="container_registry",scope="*"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://f.example/v2/token", service: "container_registry", scope: "*" },
    });
    expect(parseChallenge('Basic realm="Gitea Package API"')?.scheme).toBe("basic");
    expect(parseChallenge(undefined)).toBeUndefined();
  });
  it("follows only same-origin next links", () => {
    const base = new URL("http://127.0.0.1:5000");
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', "http://127.0.0.1:5000/v2/_catalog?n=2", base)).toBe("/v2/_catalog?last=b&n=2");
    expect(() => nextLink('<http://evil.example/v2/_catalog?last=b>; rel="next"', "http://127.0.0.1:5000/v2/_catalog", base)).toThrow(UntrustedLinkError);
    expect(nextLink(undefined, "http://127.0.0.1:5000/", base)).toBeUndefined();
  });
  it("backs off with jitter and honours Retry-After under a cap", () => {
    expect(retryDelayMs(0, 100, "2")).toBe(2000);
    expect(retryDelayMs(0, 100, "3600")).toBe(10_000);
    for (let i = 0; i < 20; i++) {
      const d = retryDelayMs(3, 100);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });
  it("samples the newest-looking tags and always latest", () => {
    const tags = ["v1", "v2", "v10", "v9", "latest", "2026-04-30", "2026-05-01"];
    expect(sampleTags(tags, 3)).toEqual(["latest", "v10", "v9"]);
    expect(sampleTags(["a", "b"], 0)).toEqual(["a", "b"]);
    expect(naturalCompare("2026-05-01", "2026-04-30")).toBeGreaterThan(0);
  });
});

describe("bounded work and hostile manifests (issue 12)", () => {
  it("forEachBounded keeps at most `width` in flight and pulls items only as slots free up", async () => {
    let inFlight = 0;
    let most = 0;
    let pulled = 0;
    async function* items() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        // Never more than width + 1 ahead of the finished work: the items are not read up front.
        expect(pulled - done).toBeLessThanOrEqual(5);
        yield i;
      }
    }
    let done = 0;
    await forEachBounded(items(), 4, async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      done++;
    });
    expect([most, done, pulled]).toEqual([4, 1000, 1000]);
    await expect(
      forEachBounded([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error("two");
      }),
    ).rejects.toThrow("two");
  });

  it("Limiter runs at most `width` at once, in arrival order, and a failure frees its slot", async () => {
    const limiter = new Limiter(3);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
          if (i % 7 === 0) throw new Error(`job ${i}`);
          return i;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(8);
    expect([limiter.pending, await limiter.run(async () => "free")]).toEqual([0, "free"]);
    expect(() => new Limiter(0)).toThrow(TypeError);
  });

  it("JSON nested deeper than MAX_MANIFEST_DEPTH is refused before parsing; a real manifest's depth passes", () => {
    const deep = Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(nestingDepth(deep, MAX_MANIFEST_DEPTH)).toBe(MAX_MANIFEST_DEPTH + 1);
    expect(() => parseManifest(deep, { what: "x/y:deep" })).toThrow(/nests deeper than 32 levels/);
    // Brackets inside strings (and escaped quotes) are not nesting.
    expect(nestingDepth(Buffer.from('{"a":"[[[[\\"[[[[","b":[{"c":1}]}'), 32)).toBe(3);
  });
});

describe("safeUrl (issue 12)", () => {
  it("drops userinfo and masks every query value but the registry API's own paging parameters", () => {
    const shown = safeUrl("https://u:p4ss@s3.example/b/blob?X-Amz-Signature=abc&token=t0k&foo=bar&n=100&last=viktor%2Fapp&digest=sha256:1");
    expect(shown).not.toMatch(/p4ss|abc|t0k|bar/);
    expect(shown).toContain("X-Amz-Signature=***");
    expect(shown).toContain("foo=***");
    expect(shown).toContain("n=100&last=viktor%2Fapp");
  });
});
