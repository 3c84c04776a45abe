// Prints each job image's size and its start-up time: from `docker run` to
// the first HTTP request the job sends (a scripted server records it).
// Targets: under 150 MB, under 1 s. Usage: pnpm bench:images
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startDockerd, startScriptedServer } from "@regguard/testkit";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const BASE = "regguard/node-base:local";
const RUNS = 5;

const envFor = {
  "integrity-probe": (url) => ({ REGISTRY_URL: url, REGISTRY_INSTANCE: "bench", PUSHGATEWAY_URL: url }),
  retention: (url) => ({ FORGEJO_HOST: url, FORGEJO_OWNER: "viktor", FORGEJO_TOKEN: "bench-token" }),
  breakglass: (url, host) => ({ IMAGE: `${host}/viktor/app:v1`, REGISTRY_INSECURE: "true", DESTINATIONS: "/tmp" }),
};
const argsFor = { "integrity-probe": [], retention: [], breakglass: ["save"] };

const dockerd = await startDockerd();
const server = await startScriptedServer(() => ({ status: 503, body: "" }));
try {
  const env = { ...process.env, DOCKER_HOST: `unix://${dockerd.socket}`, BASE_IMAGE: BASE };
  await run(`${root}/images/make-local-base.sh`, [BASE, dockerd.socket], { env });
  console.log("image                      size MB   first request ms (median of 5, min..max)");
  for (const job of Object.keys(envFor)) {
    const tag = `regguard-${job}:bench`;
    await run(`${root}/images/build.sh`, [job, tag], { env, cwd: root, maxBuffer: 1 << 24 });
    const size = Number((await dockerd.docker(["image", "inspect", tag, "--format", "{{.Size}}"])).stdout.trim());
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const seen = server.requests.length;
      const flags = Object.entries(envFor[job](server.url, server.host)).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
      const started = performance.now();
      const child = spawn(
        "docker",
        ["run", "--rm", "--network", "host", "--read-only", "--tmpfs", "/tmp", "--user", "1000:1000", ...flags, tag, ...argsFor[job]],
        { env, stdio: "ignore" },
      );
      while (server.requests.length === seen && performance.now() - started < 20_000) await new Promise((r) => setTimeout(r, 2));
      times.push(performance.now() - started);
      await new Promise((r) => child.once("close", r));
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `${`regguard-${job}`.padEnd(26)} ${(size / 1e6).toFixed(1).padStart(7)}   ${median.toFixed(0).padStart(6)} (${times[0].toFixed(0)}..${times.at(-1).toFixed(0)})`,
    );
  }
  console.log("targets: < 150 MB, < 1000 ms to first request (includes docker run's own container start)");
} finally {
  await server.stop();
  await dockerd.stop();
}
