// The pure part of save: which manifests are carried, the plan, the layout.
import { describe, expect, it } from "vitest";
import { digestOf, parseManifest, type Digest, type Manifest } from "@regguard/oci-client";
import { PlatformNotFoundError, UnsupportedImageError } from "./errors.js";
import { ANNOTATION, contentSize, layoutFiles, tarSize } from "./layout.js";
import { buildPlan, type PlanInput } from "./plan.js";
import { parsePlatformSelection, type PlatformSelection } from "./platform.js";
import { childrenToFetch, selectManifests } from "./select.js";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const fake = (s: string): Digest => digestOf(Buffer.from(s));

interface Img {
  manifest: Manifest;
  config: Buffer;
}
function image(arch: string, opts: { os?: string; layers?: number; diffIds?: number } = {}): Img {
  const os = opts.os ?? "linux";
  const layers = Array.from({ length: opts.layers ?? 2 }, (_, i) => ({
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: fake(`${arch}-layer-${i}`),
    size: 100 + i,
  }));
  const config = bytes({ os, architecture: arch, rootfs: { type: "layers", diff_ids: layers.slice(0, opts.diffIds ?? layers.length).map((l) => l.digest) } });
  const raw = bytes({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(config), size: config.length },
    layers,
  });
  return { manifest: parseManifest(raw, { what: arch }), config };
}
function index(entries: Array<{ img: Img; platform?: { os: string; architecture: string }; annotations?: Record<string, string> }>): Manifest {
  const raw = bytes({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map((e) => ({
      mediaType: OCI_MANIFEST,
      digest: e.img.manifest.digest,
      size: e.img.manifest.raw.length,
      ...(e.platform ? { platform: e.platform } : {}),
      ...(e.annotations ? { annotations: e.annotations } : {}),
    })),
  });
  return parseManifest(raw, { what: "index" });
}
const amd = image("amd64");
const arm = image("arm64");
const s390 = image("s390x");
const att = (subject: Img, name: string) => ({
  img: image(name, { os: "unknown", layers: 1 }),
  platform: { os: "unknown", architecture: "unknown" },
  annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": subject.manifest.digest },
});
const attAmd = att(amd, "att-amd");
const attArm = att(arm, "att-arm");
const sel = (text: string): PlatformSelection => parsePlatformSelection(text) as PlatformSelection;

function plan(root: Manifest, platforms: string, all: Img[]) {
  const p = sel(platforms);
  const selection = selectManifests(root, p);
  const input: PlanInput = {
    imageName: "forgejo.example/viktor/app:v1",
    tag: "v1",
    archiveName: "app",
    root,
    selection,
    platforms: p,
    manifests: new Map(all.map((i) => [i.manifest.digest, i.manifest])),
    configs: new Map(all.map((i) => [(i.manifest as Extract<Manifest, { kind: "image" }>).config.digest, i.config])),
  };
  return { selection, plan: buildPlan(input) };
}

describe("platform selection", () => {
  it("parses linux/amd64, lists, variants and all; rejects the rest", () => {
    expect(sel("all")).toEqual({ all: true });
    expect(sel("linux/amd64, linux/arm/v7")).toEqual({
      all: false,
      wanted: [
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm", variant: "v7" },
      ],
    });
    for (const bad of ["amd64", "linux/", "a/b/c/d", ",", "linux/arm/"]) expect(parsePlatformSelection(bad)).toHaveProperty("problem");
  });
});

describe("selectManifests and buildPlan", () => {
  const full = index([
    { img: amd, platform: { os: "linux", architecture: "amd64" } },
    { img: arm, platform: { os: "linux", architecture: "arm64" } },
    attAmd,
    attArm,
  ]);
  const everything = [amd, arm, attAmd.img, attArm.img];

  it("a buildx single-platform index (image + its attestation) is carried whole: the index digest survives", () => {
    const buildx = index([{ img: amd, platform: { os: "linux", architecture: "amd64" } }, attAmd]);
    const { selection, plan: p } = plan(buildx, "linux/amd64", [amd, attAmd.img]);
    expect(selection).toEqual({ kind: "whole" });
    expect(p.root.digest).toBe(buildx.digest);
    expect(p.docker).toHaveLength(1); // the attestation is no docker image
    expect(p.blobs.map((b) => b.digest)).toContain(attAmd.img.manifest.digest);
  });

  it("PLATFORM=all keeps the registry's index byte for byte and tags the amd64 entry", () => {
    const { plan: p } = plan(full, "all", everything);
    expect(p.root).toEqual({ mediaType: OCI_INDEX, digest: full.digest, size: full.raw.length });
    expect(p.trimmed).toBe(false);
    expect(p.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(p.docker.map((d) => d.RepoTags)).toEqual([["forgejo.example/viktor/app:v1"], []]);
    expect(p.blobs.slice(0, 5).every((b) => b.bytes)).toBe(true); // manifests first, with their bytes
  });

  it("one platform of a multi-arch index: the root is that platform's own manifest; attestations go", () => {
    const { selection, plan: p } = plan(full, "linux/arm64", everything);
    expect(selection.kind).toBe("single");
    expect(childrenToFetch(full, selection).map((d) => d.digest)).toEqual([arm.manifest.digest]);
    expect([p.root.digest, p.sourceDigest]).toEqual([arm.manifest.digest, full.digest]);
    expect(p.docker.map((d) => d.RepoTags)).toEqual([["forgejo.example/viktor/app:v1"]]);
    expect(layoutFiles(p).indexJson.toString()).toContain(`"${ANNOTATION.sourceDigest}":"${full.digest}"`);
  });

  it("several platforms of more: a trimmed, complete index with their attestations only", () => {
    const three = index([
      { img: amd, platform: { os: "linux", architecture: "amd64" } },
      { img: arm, platform: { os: "linux", architecture: "arm64" } },
      { img: s390, platform: { os: "linux", architecture: "s390x" } },
      attAmd,
      attArm,
    ]);
    const { selection, plan: p } = plan(three, "linux/arm64,linux/amd64", [amd, arm, s390, attAmd.img, attArm.img]);
    expect(selection.kind).toBe("trimmed");
    expect(p.trimmed).toBe(true);
    const trimmed = JSON.parse(Buffer.from(p.blobs[0]?.bytes as Uint8Array).toString()) as { manifests: Array<{ digest: string }> };
    expect(trimmed.manifests.map((m) => m.digest)).toEqual([amd.manifest.digest, arm.manifest.digest, attAmd.img.manifest.digest, attArm.img.manifest.digest]);
    expect(p.root.digest).toBe(digestOf(p.blobs[0]?.bytes as Uint8Array));
    expect(p.blobs.some((b) => b.digest === s390.manifest.digest)).toBe(false);
    expect(p.docker.map((d) => d.RepoTags)).toEqual([[], ["forgejo.example/viktor/app:v1"]]); // the first of PLATFORM gets the tag
  });

  it("no matching platform is an error naming what the index has", () => {
    expect(() => selectManifests(full, sel("linux/riscv64"))).toThrow(PlatformNotFoundError);
    expect(() => selectManifests(full, sel("linux/riscv64"))).toThrow(/linux\/amd64, linux\/arm64/);
    const single = image("arm64");
    expect(() => plan(single.manifest, "linux/amd64", [single])).toThrow(/IMAGE is linux\/arm64/);
  });

  it("refuses images docker load would refuse", () => {
    const broken = image("amd64", { diffIds: 1 });
    expect(() => plan(broken.manifest, "linux/amd64", [broken])).toThrow(UnsupportedImageError);
  });

  it("layout: index.json names the image, tarSize is exact arithmetic", () => {
    const { plan: p } = plan(amd.manifest, "linux/amd64", [amd]);
    const files = layoutFiles(p);
    const idx = JSON.parse(files.indexJson.toString()) as { manifests: Array<{ annotations: Record<string, string> }>; annotations: Record<string, string> };
    expect(idx.manifests[0]?.annotations).toEqual({ [ANNOTATION.imageName]: "forgejo.example/viktor/app:v1", [ANNOTATION.refName]: "v1" });
    expect(idx.annotations).toEqual({ [ANNOTATION.archiveName]: "app" });
    const blocks = (n: number) => 512 + Math.ceil(n / 512) * 512;
    const expected = 2 * 512 + [30, files.indexJson.length, files.manifestJson.length, ...p.blobs.map((b) => b.size)].reduce((a, n) => a + blocks(n), 0) + 1024;
    expect(tarSize(p, files)).toBe(expected);
    expect(contentSize(p, files)).toBe(30 + files.indexJson.length + files.manifestJson.length + p.blobs.reduce((a, b) => a + b.size, 0));
  });
});
