// pnpm bench:breakglass: save a >= 1 GiB image (several layers) from a local
// registry with the built CLI, and copy the same image with
// `skopeo copy docker://... docker-archive:...` in the same run. Prints
// throughput and peak RSS of each (child processes; breakglass with the
// image's NODE_OPTIONS), and, each round, the scratch disk's own write+fsync
// rate for a file of the archive's size: the ceiling a save (which also
// reads the archive back) cannot pass. Targets (issue 13): breakglass at
// least as fast as skopeo (best round of each), peak RSS under 100 MiB;
// exit 1 if missed.
import { randomBytes } from "node:crypto";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { imageNodeOptions, makeTempDir, measureProcess, removeDir, pushImage, startRegistry, type Measured } from "@regguard/testkit";

const MIB = 1024 * 1024;
const LAYERS = Number(process.env.BENCH_LAYERS ?? 5);
const LAYER_BYTES = Number(process.env.BENCH_LAYER_MIB ?? 220) * MIB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RSS_TARGET = 100 * MIB;
const NODE_OPTIONS = imageNodeOptions(new URL("../package.json", import.meta.url));
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Seconds to write `bytes` of incompressible data to a new file in `dir` and fsync it: the disk's ceiling. */
async function diskWriteFsync(dir: string, bytes: number): Promise<number> {
  const file = join(dir, "disk-ceiling.bin");
  const chunk = randomBytes(8 * MIB);
  const started = process.hrtime.bigint();
  const fh = await open(file, "wx");
  try {
    for (let left = bytes; left > 0; left -= chunk.length) await fh.write(chunk, 0, Math.min(left, chunk.length));
    await fh.sync();
  } finally {
    await fh.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await rm(file, { force: true });
  return seconds;
}

interface Row {
  tool: string;
  round: number;
  run: Measured;
  bytes: number;
}

const reg = await startRegistry();
const scratch = await makeTempDir("bg-bench");
try {
  process.stdout.write(`pushing ${LAYERS} layers of ${LAYER_BYTES / MIB} MiB to ${reg.url} ...\n`);
  const img = await pushImage({ url: reg.url }, "bench/big", "v1", { layers: LAYERS, layerSize: LAYER_BYTES, seed: "bench" });
  const imageBytes = img.layers.reduce((n, l) => n + l.size, img.config.size + img.manifest.length);
  const ref = `${reg.host}/bench/big:v1`;
  process.stdout.write(`image ${ref}: ${(imageBytes / MIB).toFixed(0)} MiB in ${img.layers.length} layers\n`);
  process.stdout.write(`breakglass runs with NODE_OPTIONS="${NODE_OPTIONS}" (package.json regguard.image.nodeOptions, as its image)\n`);
  const rows: Row[] = [];
  const disk: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const dir = await mkdtemp(join(scratch, "bg-"));
    disk.push(imageBytes / MIB / (await diskWriteFsync(scratch, imageBytes)));
    const bg = await measureProcess(process.execPath, [MAIN, "save"], {
      PATH: process.env.PATH ?? "",
      NODE_OPTIONS,
      IMAGE: ref,
      REGISTRY_INSECURE: "true",
      DESTINATIONS: dir,
    });
    if (bg.code !== 0) throw new Error(`breakglass save failed (${bg.code}): ${bg.stdout.slice(-2000)} ${bg.stderr.slice(-2000)}`);
    rows.push({ tool: "breakglass save", round, run: bg, bytes: (await stat(join(dir, "big-v1.tar"))).size });
    if (round === 1) {
      const v = await measureProcess(process.execPath, [MAIN, "verify", join(dir, "big-v1.tar")], { PATH: process.env.PATH ?? "", NODE_OPTIONS });
      process.stdout.write(`breakglass verify of the archive: exit ${v.code}, ${v.seconds.toFixed(2)} s, peak RSS ${(v.peakRssBytes / MIB).toFixed(0)} MiB\n`);
    }
    await rm(dir, { recursive: true, force: true });

    const out = join(scratch, `skopeo-${round}.tar`);
    const sk = await measureProcess("skopeo", ["copy", "--src-tls-verify=false", `docker://${ref}`, `docker-archive:${out}`]);
    if (sk.code !== 0) throw new Error(`skopeo failed (${sk.code}): ${sk.stderr.slice(-2000)}`);
    rows.push({ tool: "skopeo copy docker-archive", round, run: sk, bytes: (await stat(out)).size });
    await rm(out, { force: true });
  }

  process.stdout.write(`\n| tool | round | seconds | image MiB/s | CPU s (user+sys) | archive MiB | peak RSS MiB |\n|---|---|---|---|---|---|---|\n`);
  for (const r of rows) {
    const cpu = r.run.cpuSeconds === undefined ? "n/a" : r.run.cpuSeconds.toFixed(2);
    process.stdout.write(
      `| ${r.tool} | ${r.round} | ${r.run.seconds.toFixed(2)} | ${(imageBytes / MIB / r.run.seconds).toFixed(0)} | ${cpu} | ${(r.bytes / MIB).toFixed(0)} | ${(r.run.peakRssBytes / MIB).toFixed(0)} |\n`,
    );
  }
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  process.stdout.write(
    `\nload average during the run: ${load} on ${cpus().length} CPUs (other work on the machine skews wall times; rounds alternate and the best of each counts)\n`,
  );
  const best = (tool: string) => Math.min(...rows.filter((r) => r.tool === tool).map((r) => r.run.seconds));
  const peak = Math.max(...rows.filter((r) => r.tool === "breakglass save").map((r) => r.run.peakRssBytes));
  const bgRate = imageBytes / MIB / best("breakglass save");
  const skRate = imageBytes / MIB / best("skopeo copy docker-archive");
  const fast = bgRate >= skRate;
  const lean = peak < RSS_TARGET;
  process.stdout.write(`\nbest: breakglass ${bgRate.toFixed(0)} MiB/s vs skopeo ${skRate.toFixed(0)} MiB/s -> ${fast ? "PASS" : "FAIL"} (target: >= skopeo)\n`);
  process.stdout.write(`breakglass peak RSS ${(peak / MIB).toFixed(0)} MiB -> ${lean ? "PASS" : "FAIL"} (target: < ${RSS_TARGET / MIB} MiB)\n`);
  const ceiling = Math.max(...disk);
  process.stdout.write(
    `destination disk write+fsync of ${(imageBytes / MIB).toFixed(0)} MiB: ${disk.map((d) => d.toFixed(0)).join(", ")} MiB/s by round; best ${ceiling.toFixed(0)} MiB/s is the ceiling, the save reaches ${((100 * bgRate) / ceiling).toFixed(0)}% of it (skopeo ${((100 * skRate) / ceiling).toFixed(0)}%)\n`,
  );
  process.exitCode = fast && lean ? 0 : 1;
} finally {
  await removeDir(scratch);
  await reg.stop();
}
