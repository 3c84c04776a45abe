// The push at the end of a run against a real Pushgateway that is not there
// yet, and one that refuses the push. The shell probe lost runs to one DNS
// blip at the cron tick (docs/design.md, P1); a refused push must show up
// where RegistryIntegrityProbePushFailed looks (push_failure_time_seconds).
// Its own Pushgateway: the refused-push case plants a conflicting metric type
// that would break every other test's push.
import { createServer, connect, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger, type Logger } from "@regguard/job-runtime";
import { freePort, pushImage, startPushgateway, startRegistry, type StartedPushgateway, type StartedRegistry } from "@regguard/testkit";
import { run } from "../src/index.js";
import { groupSeries, summary, type ProbeRun } from "./helpers.js";

const JOB = "registry-integrity-probe";
const RETRYING = "metrics push attempt failed; retrying";

/** Run the probe in-process; `onLine` sees every log line as it is written. */
async function runWith(env: Record<string, string>, onLine: (msg: string) => void): Promise<ProbeRun> {
  const log = memoryLogger();
  const seen: Logger = {
    debug: (m, f) => (log.debug(m, f), onLine(m)),
    info: (m, f) => (log.info(m, f), onLine(m)),
    warn: (m, f) => (log.warn(m, f), onLine(m)),
    error: (m, f) => (log.error(m, f), onLine(m)),
  };
  const code = await run({ argv: [], env, signal: new AbortController().signal, log: seen });
  return { code, lines: log.lines };
}

describe("pushing the results", () => {
  let registry: StartedRegistry;
  let pg: StartedPushgateway | undefined;
  let conflicting: StartedPushgateway;
  let late: Server | undefined;

  beforeAll(async () => {
    [registry, conflicting] = await Promise.all([startRegistry({ auth: "htpasswd" }), startPushgateway()]);
    await pushImage({ url: registry.url, username: registry.username, password: registry.password }, "push/app", "v1", { seed: "push" });
  });
  afterAll(async () => {
    await new Promise((done) => (late ? late.close(done) : done(undefined)));
    await Promise.all([registry?.stop(), pg?.stop(), conflicting?.stop()]);
  });

  const env = (pushgateway: string, instance: string) => ({
    REGISTRY_URL: registry.url,
    REGISTRY_USERNAME: registry.username!,
    REGISTRY_PASSWORD: registry.password!,
    PUSHGATEWAY_URL: pushgateway,
    REGISTRY_INSTANCE: instance,
  });

  it("a Pushgateway that only comes up after the first attempt failed gets the run's metrics, exit 0", async () => {
    // Nothing listens on the port yet: the first PUT is refused, as in a DNS
    // blip or a Pushgateway restart at the cron tick.
    const port = await freePort();
    let started: Promise<StartedPushgateway> | undefined;
    const r = await runWith(env(`http://127.0.0.1:${port}`, "late"), (msg) => {
      if (msg !== RETRYING || started) return;
      started = startPushgateway();
      // The real Pushgateway picks its own port; this listener makes it
      // answer on the one the probe was given, from now on.
      late = createServer((socket) => {
        void started!.then((gw) => {
          const upstream = connect(Number(new URL(gw.url).port), "127.0.0.1");
          socket.pipe(upstream).pipe(socket);
          upstream.on("error", () => socket.destroy());
          socket.on("error", () => upstream.destroy());
        });
      }).listen(port, "127.0.0.1");
    });
    pg = await started;
    expect(r.code).toBe(0);
    expect(r.lines.filter((l) => l.msg === RETRYING)).toEqual([
      expect.objectContaining({
        level: "warn",
        attempt: 1,
        of: 3,
        retryInMs: 1_000,
        errorCode: "PGW_UNREACHABLE",
        pushgateway: expect.stringContaining(`:${port}/metrics/job/`),
      }),
    ]);
    expect(r.lines.find((l) => l.msg === "metrics pushed")).toMatchObject({ attempts: 2 });
    expect(summary(r)).toMatchObject({ pushed: true, failures: 0 });
    expect(JSON.stringify(r.lines)).not.toContain(registry.password!);
    const series = groupSeries(await pg!.series(), JOB, "late");
    expect(series.registry_manifest_integrity_tags_checked).toBe(1);
    expect(series.registry_manifest_integrity_catalog_accessible).toBe(1);
    // Every push says which build pushed it (issue 13).
    expect((await pg!.series()).find((s) => s.name === "regguard_build_info" && s.labels.instance === "late")?.labels).toMatchObject({
      job: JOB,
      version: "0.1.0",
    });
  });

  it("a refused push (400) is not retried, exits 3, and sets the group's push_failure_time_seconds until a push lands", async () => {
    const pushTimes = async () => {
      const s = groupSeries(await conflicting.series(), JOB, "refused", true);
      return { ok: s.push_time_seconds, failed: s.push_failure_time_seconds, tags: s.registry_manifest_integrity_tags_checked };
    };
    // Another group holds one of the probe's names with another type; the
    // Pushgateway then refuses the probe's whole PUT.
    const other = `${conflicting.url}/metrics/job/conflicting`;
    const planted = await fetch(other, {
      method: "PUT",
      body: "# TYPE registry_manifest_integrity_tags_checked counter\nregistry_manifest_integrity_tags_checked 1\n",
    });
    expect(planted.status).toBe(200);
    const refused = await runWith(env(conflicting.url, "refused"), () => {});
    expect(refused.code).toBe(3);
    expect(refused.lines.filter((l) => l.msg === RETRYING)).toEqual([]);
    expect(refused.lines.find((l) => l.msg === "metrics push failed")).toMatchObject({ level: "error", errorCode: "PGW_REJECTED", status: 400, attempts: 1 });
    // The group exists only to say its last push failed: no accepted push
    // (push_time_seconds 0), a failure time, none of the run's numbers.
    const afterRefusal = await pushTimes();
    expect(afterRefusal.ok).toBe(0);
    expect(afterRefusal.failed).toBeGreaterThan(afterRefusal.ok!);
    expect(afterRefusal.tags).toBeUndefined();

    await fetch(other, { method: "DELETE" });
    const again = await runWith(env(conflicting.url, "refused"), () => {});
    expect(again.code).toBe(0);
    const cleared = await pushTimes();
    expect(cleared.ok).toBeGreaterThan(cleared.failed!);
    expect(cleared.tags).toBe(1);
  });
});
