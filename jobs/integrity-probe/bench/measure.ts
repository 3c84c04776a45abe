// Runs the built probe as a child process (as the CronJob does) and reads
// its closing line and its peak RSS; runs autocannon for the raw ceiling.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { imageNodeOptions as imageNodeOptionsOf, jsonLines } from "@regguard/testkit";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
// Reports the child's own peak RSS (KiB on Linux) and CPU time (µs) on stderr as it exits.
const RSS_HOOK = `data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("BENCH_USAGE "+u.maxRSS+" "+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;

/** NODE_OPTIONS as the probe's image sets it, so the figures are the image's. */
export function imageNodeOptions(): string {
  return imageNodeOptionsOf(new URL("../package.json", import.meta.url));
}

/** One measured probe run. */
export interface ProbeRunFigures {
  label: string;
  exitCode: number | null;
  wallSeconds: number;
  walkSeconds: number;
  requests: number;
  manifests: number;
  tags: number;
  indexes: number;
  failures: number;
  requestErrors: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

/** `extraNodeOptions` is appended to the image's NODE_OPTIONS (e.g. the CronJob's heap cap). */
export async function measureProbe(label: string, env: Record<string, string>, extraNodeOptions = ""): Promise<ProbeRunFigures> {
  const started = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", RSS_HOOK, MAIN], {
      env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: `${imageNodeOptions()} ${extraNodeOptions}`.trim(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summary = jsonLines(stdout).find((l) => String(l.msg).startsWith("Probe complete:"));
  if (!summary) throw new Error(`${label}: no closing line (exit ${code}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  const usage = /BENCH_USAGE (\d+) (\d+)/.exec(stderr);
  return {
    label,
    exitCode: code,
    wallSeconds,
    walkSeconds: Number(summary.durationSeconds),
    requests: Number(summary.requests),
    manifests: Number(summary.manifests),
    tags: Number(summary.tags),
    indexes: Number(summary.indexes),
    failures: Number(summary.failures),
    requestErrors: Number(summary.requestErrors),
    peakRssMiB: usage ? Number(usage[1]) / 1024 : NaN,
    cpuSeconds: usage ? Number(usage[2]) / 1e6 : NaN,
  };
}

/**
 * autocannon 8 never tells its HTTP parser (http-parser-js) that a response
 * answers a HEAD, so a HEAD response with a Content-Length (which registries
 * send) waits for a body that never comes: 0 requests counted. The parser
 * skips the body when its headers-complete callback returns true; this
 * wraps the callback autocannon installs so it does, for HEAD-only runs.
 */
function skipBodies(client: { parser: Record<number, unknown> }): void {
  const fromAutocannon = createRequire(createRequire(import.meta.url).resolve("autocannon"));
  const { HTTPParser } = fromAutocannon("http-parser-js") as { HTTPParser: { kOnHeadersComplete: number } };
  let handler: ((...args: unknown[]) => unknown) | undefined;
  Object.defineProperty(client.parser, HTTPParser.kOnHeadersComplete, {
    configurable: true,
    get: () => handler,
    set: (f: (...args: unknown[]) => unknown) => {
      handler = (...args) => {
        f(...args);
        return true;
      };
    },
  });
}

/** Raw HEAD throughput of one manifest URL at `connections`, requests per second. */
export async function rawHeadThroughput(url: string, accept: string, connections: number, seconds: number): Promise<number> {
  const result = await autocannon({ url, method: "HEAD", headers: { accept }, connections, duration: seconds, setupClient: skipBodies });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`autocannon: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  if (result.requests.total === 0) throw new Error("autocannon: no request completed");
  return result.requests.total / result.duration;
}
