// The built probe in the heap a 256Mi CronJob leaves (--max-old-space-size=200) against a registry
// that serves what no real one would (testkit startHostileRegistry): an index of 25,000 children,
// a repository of 200,000 tags, 32 manifests of 16 MB nested JSON. Before issue 12 the second and
// third aborted V8 (exit 134) before anything was pushed; now each run ends with its gauges pushed.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostileRegistry, startPushgateway, type StartedPushgateway } from "@regguard/testkit";
import { METRIC } from "../src/index.js";
import { groupSeries } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const built = existsSync(MAIN);
if (!built) console.warn(`skipping the hostile-registry tests: ${MAIN} does not exist; run pnpm build first`);

/** The CronJob's heap (manifests/monitoring: limits.memory 256Mi). */
const HEAP = ["--max-old-space-size=200"];

function probe(env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; last: Record<string, unknown> | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...HEAP, MAIN], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "ignore"] });
    let tail = "";
    // Keep only the end: 25,000 findings would be a lot of test memory for nothing.
    child.stdout.on("data", (c: Buffer) => void (tail = (tail + c.toString()).slice(-20_000)));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const lines = tail
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"));
      const last = lines.length > 0 ? (JSON.parse(lines.at(-1) as string) as Record<string, unknown>) : undefined;
      resolve({ code, signal, last });
    });
  });
}

describe.skipIf(!built)("the probe against a hostile registry, in a 200 MB heap", () => {
  let registry: Awaited<ReturnType<typeof startHostileRegistry>>;
  let pg: StartedPushgateway;
  beforeAll(async () => {
    [registry, pg] = await Promise.all([startHostileRegistry(), startPushgateway()]);
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), pg?.stop()]);
  });
  const env = (prefix: string, extra: Record<string, string> = {}) => ({
    REGISTRY_URL: registry.url,
    PUSHGATEWAY_URL: pg.url,
    REPOSITORY_PREFIX: prefix,
    REGISTRY_INSTANCE: prefix.replace(/\W/g, "-"),
    ...extra,
  });
  const series = async (prefix: string) => groupSeries(await pg.series(), "registry-integrity-probe", prefix.replace(/\W/g, "-"));

  it("an index of 25,000 children: every child checked, healthy, pushed", async () => {
    const r = await probe(env("hostile/wide", { CHECK_BLOBS: "false" }));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect((await series("hostile/wide"))[METRIC.indexesChecked]).toBe(1);
    expect(r.last).toMatchObject({ manifests: 25_001, pushed: true });
  }, 120_000);

  it("a repository of 200,000 tags: every tag walked as its page arrives, healthy, pushed", async () => {
    const r = await probe(env("hostile/tags"));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect((await series("hostile/tags"))[METRIC.tagsChecked]).toBe(200_000);
  }, 240_000);

  it("32 manifests of 16 MB nested JSON: each refused as invalid (over 4 MiB), exit 1, pushed", async () => {
    const r = await probe(env("hostile/nested"));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    const s = await series("hostile/nested");
    expect(s[`${METRIC.failuresByKind}{kind="invalid_manifest"}`]).toBe(32);
  }, 120_000);
});
