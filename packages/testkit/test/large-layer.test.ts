// Layers above the in-memory limit are generated twice (measure, then stream) and still match.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { request } from "undici";
import { hasBinary, LAYER_MEMORY_LIMIT_BYTES, pushImage, startRegistry, type StartedRegistry } from "../src/index.js";

const missing = !hasBinary("docker-registry");
if (missing) console.warn("skipping large layer test: docker-registry not on PATH (apt-get install docker-registry)");

describe.skipIf(missing)("streamed layers", () => {
  let reg: StartedRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it("pushes a layer bigger than the memory limit; digest and diff_id check out", async () => {
    const layerSize = LAYER_MEMORY_LIMIT_BYTES * 2 + 12345;
    const img = await pushImage({ url: reg.url }, "big", "v1", { layerSize, seed: "big" });
    const layer = img.layers[0];
    expect(layer?.size).toBeGreaterThan(layerSize);
    const res = await request(`${reg.url}/v2/big/blobs/${layer?.digest}`);
    const bytes = Buffer.from(await res.body.arrayBuffer());
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(layer?.digest);
    const tar = gunzipSync(bytes);
    const cfgRes = await request(`${reg.url}/v2/big/blobs/${img.config.digest}`);
    const cfg = (await cfgRes.body.json()) as { rootfs: { diff_ids: string[] } };
    expect(cfg.rootfs.diff_ids[0]).toBe(`sha256:${createHash("sha256").update(tar).digest("hex")}`);
    expect(tar.subarray(0, 11).toString()).toBe("layer-0.bin");
  });
});
