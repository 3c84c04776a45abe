// HEAD requests keep their connection alive (undici closes it after every
// HEAD by default), checked on a real registry by counting connects.
import diagnostics from "node:diagnostics_channel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, startRegistry, type BuiltImage, type StartedRegistry } from "@regguard/testkit";
import { RegistryClient, parseDigest } from "../src/index.js";

describe("transport keep-alive", () => {
  let registry: StartedRegistry;
  let image: BuiltImage;
  let connects = 0;
  const onConnect = () => void connects++;

  beforeAll(async () => {
    registry = await startRegistry();
    image = await pushImage({ url: registry.url }, "a/b", "v1", { layers: 3 });
    diagnostics.subscribe("undici:client:connected", onConnect);
  });
  afterAll(async () => {
    diagnostics.unsubscribe("undici:client:connected", onConnect);
    await registry?.stop();
  });

  it("sends 40 HEADs and GETs over one connection", async () => {
    const client = new RegistryClient({ url: registry.url, concurrency: 1 });
    const before = connects;
    for (let i = 0; i < 10; i++) {
      for (const layer of image.layers) await client.checkBlob("a/b", { digest: parseDigest(layer.digest), size: layer.size });
      await client.manifest("a/b", "v1");
    }
    expect(client.stats.requests).toBe(40);
    expect(connects - before).toBe(1);
    await client.close();
  });
});
