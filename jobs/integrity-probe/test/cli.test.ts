// The built CLI as the CronJob runs it: `node dist/main.js` with an
// environment, checked by exit code and output. Needs `pnpm build` first
// (turbo's test task depends on build).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, startPushgateway, startRegistry, startScriptedServer, type StartedPushgateway, type StartedRegistry, type StartedScriptedServer } from "@regguard/testkit";
import { PROBE_ENV } from "../src/index.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const built = existsSync(MAIN);
if (!built) console.warn(`skipping the CLI tests: ${MAIN} does not exist; run pnpm build first`);

interface CliResult { code: number | null; stdout: string; stderr: string }

function cli(env: Record<string, string>, args: string[] = []): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const jsonLines = (out: string) => out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe.skipIf(!built)("the built CLI", () => {
  let registry: StartedRegistry;
  let pg: StartedPushgateway;
  let counter: StartedScriptedServer;

  beforeAll(async () => {
    [registry, pg, counter] = await Promise.all([startRegistry({ auth: "htpasswd" }), startPushgateway(), startScriptedServer(() => ({ status: 500 }))]);
    await pushImage({ url: registry.url, username: registry.username, password: registry.password }, "viktor/app", "v1", { seed: "cli" });
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), pg?.stop(), counter?.stop()]);
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
    expect(lines.at(-1)?.msg).toBe("Probe complete: 0 failures across 1 repos / 1 tags / 0 indexes");
    expect(r.stdout).not.toContain(registry.password!);
    expect((await pg.series()).some((s) => s.name === "registry_manifest_integrity_tags_checked" && s.labels.instance === registry.host && s.value === 1)).toBe(true);
  });

  it("a wrong password: catalog unreadable, exit 3, the password never printed", async () => {
    const r = await cli({ REGISTRY_URL: registry.url, REG_USER: registry.username!, REG_PASS: "wrong-pass-7d2e", PUSHGATEWAY_URL: pg.url });
    expect(r.code).toBe(3);
    expect(jsonLines(r.stdout).some((l) => l.msg === "catalog unreadable" && l.status === 401)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain("wrong-pass-7d2e");
  });

  it("a configuration error exits 2 before any request, naming every problem", async () => {
    const r = await cli({
      REGISTRY_URL: counter.url, REGISTRY_HOST: "elsewhere.example", PUSHGATEWAY_URL: counter.url, REGISTRY_PASSWORD: "p4ss-never-shown",
      CONCURRENCY: "0",
    }, ["--tags-per-repo=-2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration/);
    for (const re of [/disagree/, /CONCURRENCY must be at least 1/, /TAGS_PER_REPO must be at least 0/, /no username/]) expect(r.stderr).toMatch(re);
    expect(r.stdout + r.stderr).not.toContain("p4ss-never-shown");
    expect(counter.requests).toHaveLength(0);
  });
});
