// pnpm bench:sync — the sync job's copy against `skopeo sync --all --preserve-digests` (Debian's
// skopeo, one process, a YAML source listing every repository), same source, a fresh empty
// registry:2 as the target of every run, alternating:
//   (1) 40 repositories x 10 tags, a third multi-arch with attestations (the probe bench's set);
//   (2) one 1 GiB image in 4 layers;
//   (3) the no-op re-run of (1): what it costs when nothing is new.
// Targets (issue 15): (1) at least 5x faster than skopeo, (2) at least 1.5x, (3) requests at
// most listing pages + tags + 1 and peak RSS under 150 MiB. Wall time of each process, peak RSS
// from the kernel (GNU time's %M for both, so neither measures itself), and the CPU each process
// used: the copier's from GNU time, each registry's from /proc. On a machine whose cores the two
// registries share with the copier, the registries' CPU in a run, over the cores, is a floor no
// copier making the same requests can beat; the bench prints it, and the best ratio it allows.
import { availableParallelism } from "node:os";
import { createCipheriv, createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Readable } from "node:stream";
import { request } from "undici";
import {
  imageNodeOptions,
  makeTempDir,
  measureProcess,
  removeDir,
  seedRegistry,
  startCountingProxy,
  startRegistry,
  type StartedRegistry,
} from "@regguard/testkit";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;

interface Figures {
  seconds: number;
  peakRssMiB: number;
  /** The copier's own CPU (user + system); NaN without GNU time. */
  cpu: number;
  code: number | null;
  out: string;
  /** CPU the source and the target registry used during the run. */
  sourceCpu: number;
  targetCpu: number;
}

/** What measuring the copier alone gives; withServerCpu adds the registries' share. */
type CopierFigures = Omit<Figures, "sourceCpu" | "targetCpu">;

/** Run a command with PATH and `env` only (testkit's measureProcess: GNU time's %M). */
async function timed(cmd: string, args: string[], env: Record<string, string>): Promise<CopierFigures> {
  const m = await measureProcess(cmd, args, { PATH: process.env.PATH ?? "", ...env });
  return { seconds: m.seconds, peakRssMiB: m.peakRssBytes / MiB, cpu: m.cpuSeconds ?? NaN, code: m.code, out: m.stdout + m.stderr };
}

/** `run`, with the CPU the two registries used while it ran. */
async function withServerCpu(source: StartedRegistry, target: StartedRegistry, run: () => Promise<CopierFigures>): Promise<Figures> {
  const [s0, t0] = await Promise.all([source.cpuSeconds(), target.cpuSeconds()]);
  const f = await run();
  const [s1, t1] = await Promise.all([source.cpuSeconds(), target.cpuSeconds()]);
  return { ...f, sourceCpu: s1 - s0, targetCpu: t1 - t0 };
}

function syncCopy(source: string, target: string): Promise<CopierFigures> {
  return timed(process.execPath, [MAIN, "copy"], {
    SOURCE_URL: source,
    TARGET_URL: target,
    TARGET_PREFIX: "viktor/",
    DRY_RUN: "false",
    NODE_OPTIONS: imageNodeOptions(new URL("../package.json", import.meta.url)),
  });
}

function skopeoSync(source: StartedRegistry, repos: string[], targetHost: string, dir: string): Promise<CopierFigures> {
  const yaml = `${source.host}:\n  tls-verify: false\n  images:\n${repos.map((r) => `    ${r}: []`).join("\n")}\n`;
  const file = join(dir, `skopeo-${Date.now()}.yaml`);
  writeFileSync(file, yaml);
  return timed(
    "skopeo",
    ["sync", "--src", "yaml", "--dest", "docker", "--all", "--preserve-digests", "--dest-tls-verify=false", file, `${targetHost}/viktor`],
    { HOME: dir },
  );
}

/** A 256 MiB layer as a deterministic AES-CTR keystream: hashed in one pass, uploaded in a second. */
function* keystream(seed: string, size: number): Generator<Buffer> {
  const key = createHash("sha256").update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
  const zero = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB) yield cipher.update(left >= MiB ? zero : zero.subarray(0, left));
}

async function seedBigImage(url: string, repo: string, layers: number, layerSize: number): Promise<void> {
  const refs: Array<{ mediaType: string; digest: string; size: number }> = [];
  const upload = async (body: () => Iterable<Buffer>, size: number, mediaType: string) => {
    const h = createHash("sha256");
    for (const c of body()) h.update(c);
    const digest = `sha256:${h.digest("hex")}`;
    const start = await request(new URL(`/v2/${repo}/blobs/uploads/`, url), { method: "POST" });
    await start.body.dump();
    const location = new URL(String(start.headers.location), url);
    location.searchParams.set("digest", digest);
    const put = await request(location, {
      method: "PUT",
      body: Readable.from(body()),
      headers: { "content-length": String(size), "content-type": "application/octet-stream" },
    });
    await put.body.dump();
    if (put.statusCode !== 201) throw new Error(`upload ${digest}: HTTP ${put.statusCode}`);
    return { mediaType, digest, size };
  };
  for (let i = 0; i < layers; i++)
    refs.push(await upload(() => keystream(`${repo}-${i}`, layerSize), layerSize, "application/vnd.oci.image.layer.v1.tar+gzip"));
  const configBytes = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  const config = await upload(() => [configBytes], configBytes.length, "application/vnd.oci.image.config.v1+json");
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config, layers: refs }));
  const res = await request(new URL(`/v2/${repo}/manifests/1.0`, url), {
    method: "PUT",
    body: manifest,
    headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
  });
  await res.body.dump();
  if (res.statusCode !== 201) throw new Error(`manifest: HTTP ${res.statusCode}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (x: number, d = 2) => x.toFixed(d);

/** Alternate sync and skopeo into fresh empty targets; medians of wall time and peak RSS. */
async function race(label: string, source: StartedRegistry, repos: string[], dir: string): Promise<{ sync: Figures[]; skopeo: Figures[] }> {
  const out = { sync: [] as Figures[], skopeo: [] as Figures[] };
  for (let i = 0; i < RUNS; i++) {
    for (const who of i % 2 === 0 ? (["sync", "skopeo"] as const) : (["skopeo", "sync"] as const)) {
      const target = await startRegistry();
      try {
        const f = await withServerCpu(source, target, () => (who === "sync" ? syncCopy(source.url, target.url) : skopeoSync(source, repos, target.host, dir)));
        if (f.code !== 0) throw new Error(`${label}: ${who} exited ${f.code}\n${f.out.slice(-3000)}`);
        out[who].push(f);
      } finally {
        await target.stop();
      }
    }
  }
  const s = median(out.sync.map((f) => f.seconds));
  const k = median(out.skopeo.map((f) => f.seconds));
  console.log(
    `| ${label} | ${fmt(s)} s, ${fmt(median(out.sync.map((f) => f.peakRssMiB)), 0)} MiB | ${fmt(k)} s, ${fmt(median(out.skopeo.map((f) => f.peakRssMiB)), 0)} MiB | ${fmt(k / s, 1)}x |`,
  );
  return out;
}

/** The CPU table's rows for one case: medians of each process's CPU seconds, per tool. */
function cpuRows(label: string, r: { sync: Figures[]; skopeo: Figures[] }): string[] {
  const row = (who: string, fs: Figures[]) => {
    const cpu = median(fs.map((f) => f.cpu));
    const src = median(fs.map((f) => f.sourceCpu));
    const dst = median(fs.map((f) => f.targetCpu));
    return `| ${label} | ${who} | ${fmt(median(fs.map((f) => f.seconds)))} s | ${fmt(cpu)} s | ${fmt(src)} s | ${fmt(dst)} s | ${fmt(cpu + src + dst)} s |`;
  };
  return [row("sync copy", r.sync), row("skopeo sync", r.skopeo)];
}

/**
 * What the registries alone cost sync's runs, spread over every core: no copier making the same
 * requests finishes sooner on this machine, so skopeo's wall time over it is the best ratio possible.
 */
function floorLine(label: string, r: { sync: Figures[]; skopeo: Figures[] }): string {
  const cores = availableParallelism();
  const floor = median(r.sync.map((f) => (f.sourceCpu + f.targetCpu) / cores));
  const k = median(r.skopeo.map((f) => f.seconds));
  return `${label}: the registries used ${fmt(floor * cores)} s of CPU in sync's runs; on ${cores} cores that is ${fmt(floor)} s of wall time before the copier's own work, so at most ${fmt(k / floor, 1)}x against skopeo's ${fmt(k)} s`;
}

async function main(): Promise<void> {
  const dir = await makeTempDir("bench-sync");
  const many = await startRegistry();
  const big = await startRegistry();
  try {
    const t0 = Date.now();
    const seeded = await seedRegistry(many.url, { repositories: 40, tagsPerRepo: 10, multiArchEvery: 3 });
    await seedBigImage(big.url, "bench/big", 4, 256 * MiB);
    console.log(
      `seeded in ${fmt((Date.now() - t0) / 1000, 1)} s: (1) ${seeded.repositories.length} repositories, ${seeded.tags} tags (${seeded.indexes} multi-arch with attestations); (2) one image of 4 x 256 MiB layers`,
    );
    console.log(
      `median of ${RUNS} alternating runs, each into a fresh empty registry:2 (node ${process.version}, ${(await timed("skopeo", ["--version"], {})).out.split("\n")[0]})\n`,
    );
    console.log("| case | sync copy | skopeo sync --all --preserve-digests | skopeo / sync |\n|---|---:|---:|---:|");
    const r1 = await race("(1) 40 x 10 tags", many, seeded.repositories, dir);
    const r2 = await race("(2) 1 GiB, 4 layers", big, ["bench/big"], dir);
    console.log(`\nCPU seconds, medians (the copier from GNU time, each registry from /proc; ${availableParallelism()} cores shared by all three)\n`);
    console.log("| case | tool | wall | copier | source registry | target registry | all three |\n|---|---|---:|---:|---:|---:|---:|");
    for (const line of [...cpuRows("(1)", r1), ...cpuRows("(2)", r2)]) console.log(line);
    console.log(`\n${floorLine("(1)", r1)}\n${floorLine("(2)", r2)}`);

    // (3) the no-op re-run: into a target that already has everything, requests counted at both sides.
    const target = await startRegistry();
    const [srcProxy, dstProxy] = await Promise.all([startCountingProxy(many.url), startCountingProxy(target.url)]);
    try {
      const first = await syncCopy(many.url, target.url);
      if (first.code !== 0) throw new Error(`(3) first copy exited ${first.code}: ${first.out.slice(-2000)}`);
      const again = await syncCopy(srcProxy.url, dstProxy.url);
      if (again.code !== 0) throw new Error(`(3) re-run exited ${again.code}: ${again.out.slice(-2000)}`);
      const listingPages = srcProxy.requests.filter((q) => q.path.includes("/_catalog") || q.path.includes("/tags/list")).length;
      const total = srcProxy.requests.length + dstProxy.requests.length;
      const budget = listingPages + seeded.tags + 1;
      const perRegistry = Math.max(srcProxy.requests.length, dstProxy.requests.length);
      console.log(
        `\n(3) no-op re-run: ${fmt(again.seconds)} s, peak RSS ${fmt(again.peakRssMiB, 0)} MiB; requests ${total} = ${listingPages} listing pages + ${srcProxy.requests.length - listingPages} source HEADs + ${dstProxy.requests.length} target HEADs (${seeded.tags} tags)`,
      );
      // registry:2's tags/list carries no digests, so each tag's source digest costs a HEAD there
      // as its target digest does at the target: listings + tags at each registry, twice that in all.
      console.log(
        `    per registry: source ${srcProxy.requests.length}, target ${dstProxy.requests.length} [each <= ${budget}: ${perRegistry <= budget ? "met" : "MISSED"}]; both together ${total}`,
      );
      const s1 = median(r1.sync.map((f) => f.seconds));
      const k1 = median(r1.skopeo.map((f) => f.seconds));
      const s2 = median(r2.sync.map((f) => f.seconds));
      const k2 = median(r2.skopeo.map((f) => f.seconds));
      const rss = Math.max(...[...r1.sync, ...r2.sync, again].map((f) => f.peakRssMiB));
      console.log(
        `\ntargets: (1) skopeo/sync ${fmt(k1 / s1, 1)}x [>= 5x: ${k1 / s1 >= 5 ? "met" : "MISSED"}]; (2) ${fmt(k2 / s2, 1)}x [>= 1.5x: ${k2 / s2 >= 1.5 ? "met" : "MISSED"}]; (3) requests ${total} in all [<= ${budget}: ${total <= budget ? "met" : "MISSED"}], ${perRegistry} at the busier registry [${perRegistry <= budget ? "met" : "MISSED"}]; peak RSS of every sync run ${fmt(rss, 0)} MiB [< 150: ${rss < 150 ? "met" : "MISSED"}]`,
      );
    } finally {
      await Promise.all([srcProxy.stop(), dstProxy.stop(), target.stop()]);
    }
  } finally {
    await Promise.all([many.stop(), big.stop()]);
    await removeDir(dir);
  }
}

await main();
