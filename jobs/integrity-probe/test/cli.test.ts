// The built CLI as the CronJob runs it: `node dist/main.js` with an
// environment, checked by exit code and output. Needs `pnpm build` first
// (turbo's test task depends on build).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushImage,
  startDelayProxy,
  startPushgateway,
  startRegistry,
  startScriptedServer,
  type StartedDelayProxy,
  type StartedPushgateway,
  type StartedRegistry,
  type StartedScriptedServer,
  jsonLines,
} from "@regguard/testkit";
import { PROBE_ENV } from "../src/index.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const built = existsSync(MAIN);
if (!built) console.warn(`skipping the CLI tests: ${MAIN} does not exist; run pnpm build first`);

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI; `onSpawn` gets the child (to signal it on some event); `nodeArgs` go before the script. */
function cli(env: Record<string, string>, args: string[] = [], onSpawn?: (child: ChildProcess) => void, nodeArgs: string[] = []): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    onSpawn?.(child);
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!built)("the built CLI", () => {
  let registry: StartedRegistry;
  let pg: StartedPushgateway;
  let counter: StartedScriptedServer;
  let slow: StartedDelayProxy;

  beforeAll(async () => {
    [registry, pg, counter] = await Promise.all([startRegistry({ auth: "htpasswd" }), startPushgateway(), startScriptedServer(() => ({ status: 500 }))]);
    const target = { url: registry.url, username: registry.username, password: registry.password };
    await pushImage(target, "viktor/app", "v1", { seed: "cli" });
    for (let i = 0; i < 6; i++) await pushImage(target, "viktor/many", `v${i}`, { seed: `cli-${i}` });
    slow = await startDelayProxy(registry.url, { delayMs: 400 });
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), pg?.stop(), counter?.stop(), slow?.stop()]);
  });

  it("--help lists every variable and the exit codes, exit 0", async () => {
    const r = await cli({}, ["--help"]);
    expect(r.code).toBe(0);
    for (const spec of PROBE_ENV) expect(r.stdout).toContain(spec.name);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it("a healthy run: exit 0, JSON lines, the closing line last, no credential in the output", async () => {
    const r = await cli({ REGISTRY_URL: registry.url, REGISTRY_USERNAME: registry.username!, REGISTRY_PASSWORD: registry.password!, PUSHGATEWAY_URL: pg.url });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.at(-1)?.msg).toBe("Probe complete: 0 failures across 2 repos / 7 tags / 0 indexes");
    expect(r.stdout).not.toContain(registry.password!);
    expect((await pg.series()).some((s) => s.name === "registry_manifest_integrity_tags_checked" && s.labels.instance === registry.host && s.value === 7)).toBe(
      true,
    );
  });

  it("a wrong password: catalog unreadable, exit 3, the password never printed", async () => {
    const r = await cli({ REGISTRY_URL: registry.url, REG_USER: registry.username!, REG_PASS: "wrong-pass-7d2e", PUSHGATEWAY_URL: pg.url });
    expect(r.code).toBe(3);
    expect(jsonLines(r.stdout).some((l) => l.msg === "catalog unreadable" && l.status === 401)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain("wrong-pass-7d2e");
  });

  it("a configuration error exits 2 before any request, naming every problem", async () => {
    const r = await cli(
      {
        REGISTRY_URL: counter.url,
        REGISTRY_HOST: "elsewhere.example",
        PUSHGATEWAY_URL: counter.url,
        REGISTRY_PASSWORD: "p4ss-never-shown",
        CONCURRENCY: "0",
      },
      ["--tags-per-repo=-2"],
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration/);
    for (const re of [/disagree/, /CONCURRENCY must be at least 1/, /TAGS_PER_REPO must be at least 0/, /no username/]) expect(r.stderr).toMatch(re);
    expect(r.stdout + r.stderr).not.toContain("p4ss-never-shown");
    expect(counter.requests).toHaveLength(0);
  });

  it("query values that may be credentials never reach the output: REGISTRY_URL in a configuration error, PUSHGATEWAY_URL in every log line", async () => {
    const bad = await cli({ REGISTRY_URL: `${registry.url}/?token=reg-query-secret-1`, PUSHGATEWAY_URL: pg.url });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/REGISTRY_URL must be the registry's root URL .* with a query \(not shown/);
    expect(bad.stdout + bad.stderr).not.toContain("reg-query-secret-1");
    const run = await cli({
      REGISTRY_URL: registry.url,
      REGISTRY_USERNAME: registry.username!,
      REGISTRY_PASSWORD: registry.password!,
      PUSHGATEWAY_URL: `${pg.url}/?auth=pgw-query-secret-2`,
      REGISTRY_INSTANCE: "query-secret",
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("auth=***");
    expect(run.stdout + run.stderr).not.toContain("pgw-query-secret-2");
  });

  // Nothing a registry or an environment does makes run() throw (that is
  // its design), so a module preloaded with --import stands in for a bug.
  // Exit 1 would tell the operator the registry is broken.
  describe("an internal error exits 3, never 1", () => {
    const internal = (r: CliResult, cause: string) =>
      jsonLines(r.stdout).find((l) => l.msg === "internal error: this is a bug, please report it" && String(l.error).includes(cause));

    it("thrown out of run()", async () => {
      // run() reads the clock outside every guard of its own.
      const r = await cli(
        { REGISTRY_URL: registry.url, REGISTRY_USERNAME: registry.username!, REGISTRY_PASSWORD: registry.password!, PUSHGATEWAY_URL: pg.url },
        [],
        undefined,
        ["--import", `data:text/javascript,Date.now = () => { throw new Error("clock broken by the test"); };`],
      );
      expect(r.code).toBe(3);
      expect(internal(r, "clock broken by the test")).toBeDefined();
    });

    it("thrown from a callback outside run()", async () => {
      // Thrown once the run is under way, through a slow registry so it is still walking.
      const preload = [
        `const write = process.stdout.write.bind(process.stdout);`,
        `process.stdout.write = (chunk, ...rest) => {`,
        `  if (String(chunk).includes("probe starting")) setTimeout(() => { throw new Error("thrown from a timer by the test"); }, 50);`,
        `  return write(chunk, ...rest);`,
        `};`,
      ].join("\n");
      const r = await cli(
        {
          REGISTRY_URL: slow.url,
          REGISTRY_USERNAME: registry.username!,
          REGISTRY_PASSWORD: registry.password!,
          PUSHGATEWAY_URL: pg.url,
          REGISTRY_INSTANCE: "crashed",
        },
        [],
        undefined,
        ["--import", `data:text/javascript,${encodeURIComponent(preload)}`],
      );
      expect(r.code).toBe(3);
      expect(internal(r, "thrown from a timer by the test")).toBeDefined();
      expect(jsonLines(r.stdout).some((l) => String(l.msg).startsWith("Probe complete:"))).toBe(false);
    });
  });

  it("SIGTERM stops the walk, still pushes, exits 130", async () => {
    // Sent when the first manifest request reaches the slow registry: the walk is then under way,
    // whatever the machine's speed (a fixed delay after "probe starting" was a guess).
    const r = await cli(
      {
        REGISTRY_URL: slow.url,
        REGISTRY_USERNAME: registry.username!,
        REGISTRY_PASSWORD: registry.password!,
        PUSHGATEWAY_URL: pg.url,
        REGISTRY_INSTANCE: "stopped",
      },
      [],
      (child) => slow.rules.beforeNext({ method: "GET", pathIncludes: "/manifests/" }, () => void child.kill("SIGTERM")),
    );
    expect(r.code).toBe(130);
    const lines = jsonLines(r.stdout);
    expect(lines.some((l) => l.msg === "received SIGTERM, stopping")).toBe(true);
    expect(lines.some((l) => l.msg === "metrics pushed")).toBe(true);
    expect(String(lines.at(-1)?.msg)).toMatch(/^Probe complete:/);
    const series = (await pg.series()).filter((s) => s.labels.instance === "stopped");
    expect(series.find((s) => s.name === "registry_manifest_integrity_last_run_timestamp")?.value).toBeGreaterThan(0);
    // A stopped run is not a success: the group never had one.
    expect(series.find((s) => s.name === "registry_manifest_integrity_last_success_timestamp")?.value).toBe(0);
  });
});
