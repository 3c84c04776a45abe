// One probe run: config -> walk -> push -> summary -> exit code.
import { RegistryClient } from "@regguard/oci-client";
import type { JobContext } from "@regguard/job-runtime";
import { PushgatewayClient } from "@regguard/pushgateway";
import { loadConfig } from "./config.js";
import { probe } from "./probe.js";
import { pushResults } from "./push.js";
import { exitCode, summaryLine } from "./report.js";
import { integrityFailures } from "./tally.js";

/** Run the probe; returns the exit code (ConfigError propagates to runMain: exit 2). */
export async function run(ctx: JobContext): Promise<number> {
  const config = loadConfig(ctx.env, ctx.argv);
  const { log } = ctx;
  const group = { job: config.pushgateway.job, labels: { instance: config.instance } };
  const pushgateway = new PushgatewayClient({ url: config.pushgateway.url });
  log.info("probe starting", {
    registry: config.registry.url.origin, instance: config.instance, prefix: config.prefix, tagsPerRepo: config.tagsPerRepo,
    checkBlobs: config.checkBlobs, concurrency: config.concurrency, requestTimeoutMs: config.timeoutMs,
    pushgateway: pushgateway.groupUrl(group).toString(),
  });
  const client = new RegistryClient({
    url: config.registry.url, pinRealm: config.registry.pinRealm, concurrency: config.concurrency, timeoutMs: config.timeoutMs,
    signal: ctx.signal, userAgent: "regguard-integrity-probe",
    ...(config.registry.username !== undefined ? { username: config.registry.username, password: config.registry.password ?? "" } : {}),
  });
  const startedAt = Date.now();
  let tally;
  try {
    tally = await probe(client, config, log);
  } finally {
    await client.close();
  }
  const finishedAt = Date.now();
  const stopped = ctx.signal.aborted;
  if (stopped) tally.walkError ??= "stopped by a signal";
  // Pushed even when stopped: the Pushgateway is not the registry, and a
  // partial picture beats a stale one.
  const pushed = await pushResults({ client: pushgateway, group, tally, startedAt, finishedAt }, log);
  const { requests, retries } = client.stats;
  log.info(summaryLine(tally), {
    failures: integrityFailures(tally), repositories: tally.repositories, tags: tally.tags, indexes: tally.indexes,
    manifests: tally.manifests, blobs: tally.blobs, requestErrors: tally.findings.request_error, findingsByKind: tally.findings,
    catalogAccessible: tally.catalogAccessible, pushed, requests, retries, durationSeconds: (finishedAt - startedAt) / 1000,
  });
  return exitCode(tally, pushed, stopped);
}
