// A scripted registry that lies in ways a real one rarely does on demand:
// bodies that do not hash to their digest, blobs of the wrong size, bodies
// that are not manifests, a catalog that fails with 503. The Pushgateway is
// real.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "@regguard/job-config";
import { startPushgateway, startScriptedServer, type ScriptedResponse, type StartedPushgateway, type StartedScriptedServer } from "@regguard/testkit";
import { MEDIA_TYPE } from "@regguard/oci-client";
import { METRIC } from "../src/index.js";
import { findings, groupSeries, runProbe, summary } from "./helpers.js";

const sha = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

const config = json({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
const layer = Buffer.from("layer bytes");
const image = json({
  schemaVersion: 2,
  mediaType: MEDIA_TYPE.ociManifest,
  config: { mediaType: MEDIA_TYPE.ociConfig, digest: sha(config), size: config.length },
  layers: [{ mediaType: MEDIA_TYPE.ociLayerGzip, digest: sha(layer), size: layer.length }],
});
const tampered = json({ ...JSON.parse(image.toString()), annotations: { tampered: "yes" } });
const index = json({
  schemaVersion: 2,
  mediaType: MEDIA_TYPE.ociIndex,
  manifests: [{ mediaType: MEDIA_TYPE.ociManifest, digest: sha(image), size: image.length, platform: { os: "linux", architecture: "amd64" } }],
});

/** The lying registry's answers, by path. */
function lie(path: string, method: string): ScriptedResponse {
  const url = new URL(path, "http://x");
  const manifest = (body: Buffer, digest = sha(body)): ScriptedResponse => ({
    status: 200,
    headers: { "content-type": MEDIA_TYPE.ociManifest, "docker-content-digest": digest, "content-length": String(body.length) },
    body: method === "HEAD" ? "" : body,
  });
  switch (url.pathname) {
    case "/v2/_catalog":
      return { body: { repositories: ["lie/header", "lie/child", "lie/size", "lie/garbage"] } };
    case "/v2/lie/header/tags/list":
    case "/v2/lie/size/tags/list":
    case "/v2/lie/garbage/tags/list":
      return { body: { tags: ["v1"] } };
    case "/v2/lie/child/tags/list":
      return { body: { tags: ["latest"] } };
    // The tag's body is fine but the registry claims another digest for it.
    case "/v2/lie/header/manifests/v1":
      return manifest(image, sha("something else"));
    case "/v2/lie/child/manifests/latest":
      return { ...manifest(index), headers: { "content-type": MEDIA_TYPE.ociIndex, "docker-content-digest": sha(index) } };
    // Asked for the child by digest, serves other bytes (and no digest header).
    case `/v2/lie/child/manifests/${sha(image)}`:
      return { status: 200, headers: { "content-type": MEDIA_TYPE.ociManifest }, body: tampered };
    case "/v2/lie/size/manifests/v1":
      return manifest(image);
    case `/v2/lie/size/blobs/${sha(config)}`:
      return { status: 200, headers: { "content-length": String(config.length) } };
    case `/v2/lie/size/blobs/${sha(layer)}`:
      return { status: 200, headers: { "content-length": String(layer.length + 7) } };
    case "/v2/lie/garbage/manifests/v1":
      return { status: 200, headers: { "content-type": "text/html" }, body: "<html>proxy error</html>" };
    default:
      return { status: 404, body: { errors: [{ code: "NOT_FOUND", message: url.pathname }] } };
  }
}

describe("a lying registry", () => {
  let liar: StartedScriptedServer;
  let broken: StartedScriptedServer;
  let pg: StartedPushgateway;

  beforeAll(async () => {
    liar = await startScriptedServer((req) => lie(req.path, req.method));
    broken = await startScriptedServer(() => ({ status: 503, body: "upstream down" }));
    pg = await startPushgateway();
  });
  afterAll(async () => {
    await Promise.all([liar?.stop(), broken?.stop(), pg?.stop()]);
  });

  it("reports digest_mismatch, size_mismatch and invalid_manifest, and exits 1", async () => {
    const run = await runProbe({ REGISTRY_URL: liar.url, PUSHGATEWAY_URL: pg.url, REGISTRY_INSTANCE: "liar" });
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual(["digest_mismatch@lie/child", "digest_mismatch@lie/header", "invalid_manifest@lie/garbage", "size_mismatch@lie/size"]);
    const series = groupSeries(await pg.series(), "registry-integrity-probe", "liar");
    expect(series).toMatchObject({
      [METRIC.failures]: 4,
      [`${METRIC.failuresByKind}{kind="digest_mismatch"}`]: 2,
      [`${METRIC.failuresByKind}{kind="size_mismatch"}`]: 1,
      [`${METRIC.failuresByKind}{kind="invalid_manifest"}`]: 1,
      [METRIC.indexesChecked]: 1,
    });
  });

  it("a catalog that answers 503 after retries is inaccessible: exit 3, pushed", async () => {
    const run = await runProbe({ REGISTRY_URL: broken.url, PUSHGATEWAY_URL: pg.url, REGISTRY_INSTANCE: "broken" });
    expect(run.code).toBe(3);
    expect(broken.requests.length).toBe(4); // the first try and three retries
    expect(run.lines.find((l) => l.msg === "catalog unreadable")).toMatchObject({ status: 503, errorCode: "OCI_HTTP_STATUS" });
    expect(groupSeries(await pg.series(), "registry-integrity-probe", "broken")[METRIC.catalogAccessible]).toBe(0);
  });

  it("a catalog that repeats the same repositories on every page is a loop: each walked once, exit 3, pushed", async () => {
    let pages = 0;
    const repeating = await startScriptedServer((req) => {
      if (req.path.startsWith("/v2/_catalog")) {
        pages++;
        return { headers: { link: `</v2/_catalog?n=100&last=z${pages}>; rel="next"` }, body: { repositories: ["loop/app"] } };
      }
      return lie(req.path.replace("/loop/app/", "/lie/size/"), req.method);
    });
    try {
      const run = await runProbe({ REGISTRY_URL: repeating.url, PUSHGATEWAY_URL: pg.url, REGISTRY_INSTANCE: "repeating" });
      expect(run.code).toBe(3);
      expect(pages).toBe(2);
      expect(repeating.requests.filter((r) => r.path.startsWith("/v2/loop/app/tags/list"))).toHaveLength(1);
      expect(groupSeries(await pg.series(), "registry-integrity-probe", "repeating")[METRIC.catalogAccessible]).toBe(0);
    } finally {
      await repeating.stop();
    }
  });

  it("an endless catalog of new names ends at RUN_BUDGET: exit 3, partial counts pushed", async () => {
    let pages = 0;
    const endless = await startScriptedServer((req) => {
      if (!req.path.startsWith("/v2/_catalog")) return { body: { tags: [] } };
      pages++;
      const names = Array.from({ length: 100 }, (_, i) => `endless/r${pages}-${i}`);
      return { headers: { link: `</v2/_catalog?n=100&last=${names[99]}>; rel="next"` }, body: { repositories: names } };
    });
    try {
      const started = Date.now();
      const run = await runProbe({ REGISTRY_URL: endless.url, PUSHGATEWAY_URL: pg.url, REGISTRY_INSTANCE: "endless", RUN_BUDGET: "2s" });
      expect(run.code).toBe(3);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(run.lines.find((l) => l.msg === "walk stopped: run budget used up")).toMatchObject({ level: "error", runBudgetSeconds: 2 });
      expect(summary(run)).toMatchObject({ pushed: true });
      const series = groupSeries(await pg.series(), "registry-integrity-probe", "endless");
      expect(series[METRIC.reposChecked]).toBeGreaterThan(0);
    } finally {
      await endless.stop();
    }
  });

  it("an invalid configuration is refused before any request", async () => {
    const before = liar.requests.length;
    const err = await runProbe({ REGISTRY_URL: liar.url, PUSHGATEWAY_URL: liar.url, TAGS_PER_REPO: "five", CHECK_BLOBS: "yes" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toHaveLength(2);
    expect(liar.requests.length).toBe(before);
  });
});
