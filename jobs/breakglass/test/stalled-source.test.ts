// A registry that trickles a layer (a byte every 200 ms) must not hold a save until the pod's
// deadline: below 1 KiB/s for TRANSFER_STALL_AFTER the save fails with a clear error, says the
// transfer stopped (never "transfer finished"), and leaves the destination as it was (issue 12).
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { memoryLogger } from "@regguard/job-runtime";
import { MEDIA_TYPE } from "@regguard/oci-client";
import { startScriptedServer, type ScriptedResponse, useTempDir } from "@regguard/testkit";
import { save } from "../src/index.js";
import { saveConfig } from "./helpers.js";

/** Every directory a test here makes is removed after the file (testkit useTempDir). */
const tempDir = useTempDir("bg", afterAll);

const sha = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

const layer = Buffer.alloc(4096, 7);
const config = json({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha(layer)] } });
const manifest = json({
  schemaVersion: 2,
  mediaType: MEDIA_TYPE.ociManifest,
  config: { mediaType: MEDIA_TYPE.ociConfig, digest: sha(config), size: config.length },
  layers: [{ mediaType: MEDIA_TYPE.ociLayerGzip, digest: sha(layer), size: layer.length }],
});

async function* trickle(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < layer.length; i++) {
    yield layer.subarray(i, i + 1);
    await sleep(200);
  }
}

function answer(path: string): ScriptedResponse {
  if (path.endsWith("/manifests/v1")) return { headers: { "content-type": MEDIA_TYPE.ociManifest, "docker-content-digest": sha(manifest) }, body: manifest };
  if (path.endsWith(`/blobs/${sha(config)}`)) return { headers: { "content-length": String(config.length) }, body: config };
  if (path.endsWith(`/blobs/${sha(layer)}`)) return { headers: { "content-length": String(layer.length) }, bodyStream: trickle() };
  return { status: 404, body: { errors: [{ code: "NOT_FOUND", message: path }] } };
}

describe("a stalled layer transfer", () => {
  it("ends the save after TRANSFER_STALL_AFTER below 1 KiB/s: ok false, a clear error, 'transfer stopped', nothing written", async () => {
    const registry = await startScriptedServer((req) => answer(req.path));
    const dir = tempDir("stalled");
    try {
      const log = memoryLogger();
      const started = Date.now();
      const report = await save(saveConfig({ IMAGE: `${registry.host}/slow/app:v1`, DESTINATIONS: dir, TRANSFER_STALL_AFTER: "1s" }), { log });
      // The whole layer would take 4096 x 200 ms, over 13 minutes.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(report.ok).toBe(false);
      expect(report.destinations[0]?.error).toMatch(/transfer stalled: \d+ bytes in the last 1 s, below the minimum of 1024 bytes\/s/);
      expect(log.lines.some((l) => l.msg === "transfer finished")).toBe(false);
      expect(log.lines.find((l) => l.msg === "transfer stopped")).toMatchObject({ level: "warn" });
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await registry.stop();
    }
  }, 30_000);
});
