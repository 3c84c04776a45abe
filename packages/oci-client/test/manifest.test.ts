// parseManifest, the one place a manifest model is built, case by case (issue 16: the module's
// own mutation score): how the kind is decided from header, mediaType and body, what each
// malformed descriptor is told, and the nesting scan that runs before JSON.parse.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DigestMismatchError,
  InvalidManifestError,
  MAX_MANIFEST_DEPTH,
  MEDIA_TYPE,
  nestingDepth,
  parseManifest,
  platformString,
  referencedDescriptors,
  type Descriptor,
  type ManifestSource,
} from "../src/index.js";

const sha = (b: string | Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}` as const;
const bytes = (o: unknown) => Buffer.from(typeof o === "string" ? o : JSON.stringify(o));
const SRC: ManifestSource = { what: "viktor/app:v1" };
const desc = (name: string, extra: Record<string, unknown> = {}) => ({ mediaType: MEDIA_TYPE.ociManifest, digest: sha(name), size: name.length, ...extra });
const image = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  config: desc("config", { mediaType: MEDIA_TYPE.ociConfig }),
  layers: [desc("layer", { mediaType: MEDIA_TYPE.ociLayerGzip })],
  ...extra,
});
const index = (extra: Record<string, unknown> = {}) => ({ schemaVersion: 2, manifests: [desc("amd64")], ...extra });

const invalid = (body: unknown, src: Partial<ManifestSource> = {}): string => {
  try {
    parseManifest(bytes(body), { ...SRC, ...src });
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidManifestError);
    return (e as Error).message.replace("manifest viktor/app:v1 is invalid: ", "");
  }
  throw new Error("parseManifest accepted it");
};

describe("the kind and the media type", () => {
  it("declared mediaType wins and is kept as declared; the digest is the body's", () => {
    const raw = bytes(index({ mediaType: MEDIA_TYPE.dockerList }));
    const m = parseManifest(raw, { ...SRC, contentType: "application/json" });
    expect(m).toMatchObject({ kind: "index", mediaType: MEDIA_TYPE.dockerList, digest: sha(raw) });
    expect(m.raw).toBe(raw);
  });

  it("no mediaType: the header's type is used when it is a manifest type, with parameters stripped", () => {
    const m = parseManifest(bytes(image()), { ...SRC, contentType: `${MEDIA_TYPE.dockerManifest}; charset=utf-8` });
    expect(m).toMatchObject({ kind: "image", mediaType: MEDIA_TYPE.dockerManifest });
  });

  it("no mediaType and a generic header (Forgejo's application/json): the OCI type of the body's kind", () => {
    expect(parseManifest(bytes(index()), { ...SRC, contentType: "application/json" })).toMatchObject({ kind: "index", mediaType: MEDIA_TYPE.ociIndex });
    expect(parseManifest(bytes(image()), { ...SRC, contentType: "application/json" })).toMatchObject({ kind: "image", mediaType: MEDIA_TYPE.ociManifest });
    expect(parseManifest(bytes(image()), SRC)).toMatchObject({ kind: "image", mediaType: MEDIA_TYPE.ociManifest });
  });

  it("a body with only a config is an image; with neither, the header decides", () => {
    expect(invalid({ schemaVersion: 2, config: desc("c") })).toBe("an image manifest needs a layers array");
    expect(parseManifest(bytes({ schemaVersion: 2, manifests: [] }), { ...SRC, contentType: MEDIA_TYPE.ociIndex })).toMatchObject({
      kind: "index",
      manifests: [],
    });
    expect(invalid({ schemaVersion: 2 }, { contentType: MEDIA_TYPE.ociIndex })).toBe("an index needs a manifests array");
    expect(invalid({ schemaVersion: 2 }, { contentType: MEDIA_TYPE.ociManifest })).toBe("an image manifest needs a layers array");
  });

  it("cannot tell: says which header it saw, or that there was none", () => {
    expect(invalid({ schemaVersion: 2 }, { contentType: "text/plain" })).toBe(
      "cannot tell image from index (Content-Type text/plain, no mediaType, no manifests or layers)",
    );
    expect(invalid({ schemaVersion: 2 })).toBe("cannot tell image from index (Content-Type missing, no mediaType, no manifests or layers)");
  });

  it("a mediaType that contradicts the body is refused, either way round", () => {
    expect(invalid(image({ mediaType: MEDIA_TYPE.ociIndex }))).toBe(`mediaType says ${MEDIA_TYPE.ociIndex} but the body looks like an image`);
    expect(invalid(index({ mediaType: MEDIA_TYPE.ociManifest }))).toBe(`mediaType says ${MEDIA_TYPE.ociManifest} but the body looks like an index`);
  });

  it("Docker schema 1, by schemaVersion, by mediaType or by header, is refused", () => {
    const why = "Docker schema 1 manifests are not supported";
    expect(invalid({ schemaVersion: 1, layers: [] })).toBe(why);
    expect(invalid({ schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws", layers: [] })).toBe(why);
    expect(invalid(image(), { contentType: "application/vnd.docker.distribution.manifest.v1+json" })).toBe(why);
  });

  it("bodies that are not JSON objects", () => {
    expect(invalid("{nope")).toBe("the body is not JSON");
    expect(invalid("[]")).toBe("the body is not a JSON object");
    expect(invalid("null")).toBe("the body is not a JSON object");
    expect(invalid("7")).toBe("the body is not a JSON object");
  });
});

describe("digests", () => {
  it("a sha512 digest asked for, or announced, is checked with sha512", () => {
    const raw = bytes(image());
    const sha512 = `sha512:${createHash("sha512").update(raw).digest("hex")}`;
    expect(parseManifest(raw, { ...SRC, requestedDigest: sha512 }).digest).toBe(sha512);
    expect(parseManifest(raw, { ...SRC, headerDigest: sha512 }).digest).toBe(sha512);
  });

  it("a mediaType that is not a string is no mediaType", () => {
    expect(parseManifest(bytes(index({ mediaType: 7 })), SRC)).toMatchObject({ kind: "index", mediaType: MEDIA_TYPE.ociIndex });
  });

  it("a body that does not hash to the requested digest, or to Docker-Content-Digest, is a DigestMismatchError naming which", () => {
    const raw = bytes(image());
    expect(() => parseManifest(raw, { ...SRC, requestedDigest: sha("other") })).toThrow(
      new DigestMismatchError(`manifest viktor/app:v1: body hashes to ${sha(raw)}, but the requested digest is ${sha("other")}`),
    );
    expect(() => parseManifest(raw, { ...SRC, headerDigest: sha("other") })).toThrow(
      `body hashes to ${sha(raw)}, but Docker-Content-Digest is ${sha("other")}`,
    );
    expect(parseManifest(raw, { ...SRC, requestedDigest: sha(raw), headerDigest: sha(raw) }).digest).toBe(sha(raw));
  });
});

describe("descriptors", () => {
  const layerBody = (layer: unknown) => image({ layers: [layer] });

  it("each malformed descriptor says where and what", () => {
    expect(invalid(layerBody("x"))).toBe("layers[0] is not a descriptor");
    expect(invalid(layerBody(null))).toBe("layers[0] is not a descriptor");
    expect(invalid(layerBody({ size: 1 }))).toBe("layers[0].digest is missing");
    expect(invalid(layerBody({ digest: "md5:abc", size: 1 }))).toBe('layers[0].digest "md5:abc" is not a valid digest');
    expect(invalid(layerBody({ digest: `sha256:${"a".repeat(100)}`, size: 1 }))).toBe(
      `layers[0].digest ${JSON.stringify(`sha256:${"a".repeat(73)}`)} is not a valid digest`,
    );
    for (const size of [-1, 1.5, "1", undefined, 2 ** 53])
      expect(invalid(layerBody({ digest: sha("l"), size }))).toBe("layers[0].size is not a non-negative integer");
    expect(invalid(image({ config: "c" }))).toBe("config is not a descriptor");
    expect(invalid(index({ manifests: [desc("a"), 1] }))).toBe("manifests[1] is not a descriptor");
    expect(invalid(image({ subject: { digest: sha("s") } }))).toBe("subject.size is not a non-negative integer");
  });

  it("size 0 is a size; a missing mediaType is empty; platform and string annotations are kept, the rest dropped", () => {
    const m = parseManifest(
      bytes(
        index({
          manifests: [
            { digest: sha("a"), size: 0, platform: { os: "linux", architecture: "arm64", variant: "v8", features: ["x"] }, annotations: { a: "1", n: 2 } },
            { digest: sha("b"), size: 1, platform: { os: "linux", architecture: 7 }, annotations: "no" },
            { digest: sha("c"), size: 1, platform: { os: "linux", architecture: "amd64", variant: 1 } },
          ],
        }),
      ),
      SRC,
    );
    if (m.kind !== "index") throw new Error("not an index");
    // Strict: a descriptor without annotations or platform has no such keys at all.
    expect(m.manifests).toStrictEqual([
      { mediaType: "", digest: sha("a"), size: 0, platform: { os: "linux", architecture: "arm64", variant: "v8" }, annotations: { a: "1" } },
      { mediaType: "", digest: sha("b"), size: 1 },
      { mediaType: "", digest: sha("c"), size: 1, platform: { os: "linux", architecture: "amd64" } },
    ]);
  });

  it("top-level annotations and the subject are kept; absent, they are not there at all", () => {
    const m = parseManifest(bytes(image({ annotations: { "org.opencontainers.image.created": "now", n: 1 }, subject: desc("parent") })), SRC);
    expect(m.annotations).toEqual({ "org.opencontainers.image.created": "now" });
    expect(m.subject).toEqual(desc("parent"));
    const bare = parseManifest(bytes(image()), SRC);
    expect("annotations" in bare).toBe(false);
    expect("subject" in bare).toBe(false);
  });

  it("referencedDescriptors: config then layers, or the children, then the subject", () => {
    const img = parseManifest(bytes(image({ subject: desc("parent") })), SRC);
    expect(referencedDescriptors(img).map((d: Descriptor) => d.digest)).toEqual([sha("config"), sha("layer"), sha("parent")]);
    const idx = parseManifest(bytes(index()), SRC);
    expect(referencedDescriptors(idx).map((d) => d.digest)).toEqual([sha("amd64")]);
  });

  it("platformString", () => {
    expect(platformString(undefined)).toBe("unknown");
    expect(platformString({ os: "linux", architecture: "amd64" })).toBe("linux/amd64");
    expect(platformString({ os: "linux", architecture: "arm", variant: "v7" })).toBe("linux/arm/v7");
  });
});

describe("nesting, scanned before parsing", () => {
  const nest = (n: number, open = "[", close = "]") => `${open.repeat(n)}${close.repeat(n)}`;

  it("counts [ and { outside strings, and stops one past the limit", () => {
    expect(nestingDepth(bytes(""), 5)).toBe(0);
    expect(nestingDepth(bytes('{"a":[1,{"b":2}],"c":{}}'), 32)).toBe(3);
    expect(nestingDepth(bytes(nest(3) + nest(2)), 32)).toBe(3);
    expect(nestingDepth(bytes(nest(3, "{", "}")), 32)).toBe(3);
    expect(nestingDepth(bytes(nest(100)), 10)).toBe(11);
  });

  it("brackets inside strings, and escaped quotes inside strings, do not count", () => {
    expect(nestingDepth(bytes('{"a":"[[[[{{{{"}'), 32)).toBe(1);
    expect(nestingDepth(bytes('{"a":"\\"[[[[","b":[1]}'), 32)).toBe(2);
    expect(nestingDepth(bytes('["\\\\",[[1]]]'), 32)).toBe(3);
  });

  it(`a manifest nested deeper than ${MAX_MANIFEST_DEPTH} levels is refused before JSON.parse; exactly ${MAX_MANIFEST_DEPTH} is parsed`, () => {
    const deep = (levels: number) => JSON.stringify(image({ annotations: {}, extra: JSON.parse(nest(levels - 1)) }));
    expect(invalid(deep(MAX_MANIFEST_DEPTH + 1))).toBe(`the JSON nests deeper than ${MAX_MANIFEST_DEPTH} levels`);
    expect(parseManifest(bytes(deep(MAX_MANIFEST_DEPTH)), SRC).kind).toBe("image");
  });
});
