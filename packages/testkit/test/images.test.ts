// Image builders against a real registry: manifests served back byte-for-byte, damage helpers behave like #3324.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import {
  ACCEPT_ALL_MANIFESTS,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  hasBinary,
  pushImage,
  pushIndex,
  startRegistry,
  type StartedRegistry,
} from "../src/index.js";

const missing = !hasBinary("docker-registry");
if (missing) console.warn("skipping image builder tests: docker-registry not on PATH (apt-get install docker-registry)");

async function get(url: string, accept = ACCEPT_ALL_MANIFESTS): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await request(url, { headers: { accept } });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, type: String(res.headers["content-type"] ?? ""), body };
}

describe.skipIf(missing)("pushImage / pushIndex", () => {
  let reg: StartedRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it("pushes an OCI image whose config carries diff_ids and platform", async () => {
    const img = await pushImage({ url: reg.url }, "solo", "v1", { layers: 3, layerSize: 5000, platform: { os: "linux", architecture: "arm", variant: "v7" } });
    expect(img.mediaType).toBe(OCI_MANIFEST);
    const m = await get(`${reg.url}/v2/solo/manifests/${img.digest}`);
    expect(m.status).toBe(200);
    expect(m.type).toBe(OCI_MANIFEST);
    expect(m.body.equals(Buffer.from(img.manifest))).toBe(true);
    const cfg = JSON.parse((await get(`${reg.url}/v2/solo/blobs/${img.config.digest}`, "*/*")).body.toString()) as Record<string, unknown>;
    expect(cfg).toMatchObject({ architecture: "arm", os: "linux", variant: "v7", rootfs: { type: "layers" } });
    expect((cfg.rootfs as { diff_ids: string[] }).diff_ids).toHaveLength(3);
    const layer = await get(`${reg.url}/v2/solo/blobs/${img.layers[0]?.digest}`, "*/*");
    expect(layer.body.length).toBe(img.layers[0]?.size);
    expect(layer.body.subarray(0, 2).toString("hex")).toBe("1f8b"); // gzip magic
  });

  it("pushes by digest only when the tag is undefined, docker format when asked", async () => {
    const img = await pushImage({ url: reg.url }, "untagged", undefined, { format: "docker" });
    expect(img.tag).toBeUndefined();
    expect(img.mediaType).toBe(DOCKER_MANIFEST);
    expect((await get(`${reg.url}/v2/untagged/manifests/${img.digest}`)).status).toBe(200);
    const tags = await get(`${reg.url}/v2/untagged/tags/list`, "application/json");
    // distribution 2.8 answers NAME_UNKNOWN for a repository with no tags at all (no tags dir yet)
    expect(tags.status).toBe(404);
    expect(JSON.parse(tags.body.toString())).toMatchObject({ errors: [{ code: "NAME_UNKNOWN" }] });
  });

  it("pushes an OCI index with attestations annotated like buildx", async () => {
    const idx = await pushIndex({ url: reg.url }, "multi", "v1", { attestations: true, childTags: true });
    expect(idx.children.map((c) => c.platform?.architecture)).toEqual(["amd64", "arm64"]);
    expect(idx.attestations).toHaveLength(2);
    const m = await get(`${reg.url}/v2/multi/manifests/${idx.digest}`);
    expect(m.type).toBe(OCI_INDEX);
    const body = JSON.parse(m.body.toString()) as { manifests: { digest: string; platform: { os: string }; annotations?: Record<string, string> }[] };
    expect(body.manifests).toHaveLength(4);
    expect(body.manifests[2]).toMatchObject({
      platform: { os: "unknown", architecture: "unknown" },
      annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": idx.children[0]?.digest },
    });
    for (const child of [...idx.children, ...idx.attestations]) {
      expect((await get(`${reg.url}/v2/multi/manifests/${child.digest}`)).status).toBe(200);
    }
    const tags = JSON.parse((await get(`${reg.url}/v2/multi/tags/list`, "application/json")).body.toString()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(["v1", "v1-amd64", "v1-arm64"]);
    // registry:2 hides an OCI index from clients that do not accept it
    expect((await get(`${reg.url}/v2/multi/manifests/v1`, DOCKER_MANIFEST)).status).toBe(404);
  });

  it("pushes a Docker manifest list", async () => {
    const idx = await pushIndex({ url: reg.url }, "dlist", "v1", { format: "docker", platforms: ["linux/amd64", "linux/arm/v7"] });
    expect(idx.mediaType).toBe(DOCKER_MANIFEST_LIST);
    expect(idx.children.every((c) => c.mediaType === DOCKER_MANIFEST)).toBe(true);
    const m = await get(`${reg.url}/v2/dlist/manifests/v1`);
    expect(m.type).toBe(DOCKER_MANIFEST_LIST);
    expect(m.body.equals(Buffer.from(idx.manifest))).toBe(true);
  });

  it("omitMediaType leaves the field out and the registry still serves the index", async () => {
    const idx = await pushIndex({ url: reg.url }, "nomt", "v1", { omitMediaType: true, attestations: true });
    const m = await get(`${reg.url}/v2/nomt/manifests/v1`);
    expect(m.status).toBe(200);
    const body = JSON.parse(m.body.toString()) as Record<string, unknown>;
    expect(body.mediaType).toBeUndefined();
    expect(body.manifests).toHaveLength(4);
    expect(m.body.equals(Buffer.from(idx.manifest))).toBe(true);
    const child = JSON.parse((await get(`${reg.url}/v2/nomt/manifests/${idx.children[0]?.digest}`)).body.toString()) as Record<string, unknown>;
    expect(child.mediaType).toBeUndefined();
  });

  it("corruptRevisionLink reproduces distribution#3324: child 404 MANIFEST_UNKNOWN, index still served", async () => {
    const idx = await pushIndex({ url: reg.url }, "broken/app", "latest");
    const child = idx.children[1]?.digest ?? "";
    await reg.corruptRevisionLink("broken/app", child);
    const c = await get(`${reg.url}/v2/broken/app/manifests/${child}`);
    expect(c.status).toBe(404);
    expect(JSON.parse(c.body.toString())).toMatchObject({ errors: [{ code: "MANIFEST_UNKNOWN" }] });
    const i = await get(`${reg.url}/v2/broken/app/manifests/latest`);
    expect(i.status).toBe(200);
    expect(i.body.toString()).toContain(child);
    expect((await get(`${reg.url}/v2/broken/app/manifests/${idx.children[0]?.digest}`)).status).toBe(200);
  });

  it("deleteBlobData makes a layer unservable; restart keeps port and storage", async () => {
    const img = await pushImage({ url: reg.url }, "blobs", "v1");
    const digest = img.layers[0]?.digest ?? "";
    await reg.deleteBlobData(digest);
    expect((await get(`${reg.url}/v2/blobs/blobs/${digest}`, "*/*")).status).toBe(404);
    await reg.restart();
    expect((await get(`${reg.url}/v2/blobs/manifests/v1`)).status).toBe(200);
    expect((await get(`${reg.url}/v2/blobs/blobs/${img.config.digest}`, "*/*")).status).toBe(200);
  });
});
