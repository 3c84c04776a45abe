// One probe run: config -> walk -> push -> summary -> exit code.
import { RegistryClient } from "@regguard/oci-client";
import type { JobContext } from "@regguard/job-runtime";
import { PushgatewayClient, stripUserinfo } from "@regguard/pushgateway";
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
    registry: config.registry.url.origin,
    instance: config.instance,
    prefix: config.prefix,
    tagsPerRepo: config.tagsPerRepo,
    checkBlobs: config.checkBlobs,
    concurrency: config.concurrency,
    requestTimeoutMs: config.timeoutMs,
    pushgateway: stripUserinfo(pushgateway.groupUrl(group).toString()),
  });
  // One signal for the walk: a SIGTERM, or the run budget used up. A registry that serves an
  // endless catalog of new names must not keep the probe past activeDeadlineSeconds, where it
  // would be killed before pushing anything (issue 12).
  const walk = new AbortController();
  const onStop = () => walk.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onStop, { once: true });
  const budget = setTimeout(() => walk.abort(new Error("run budget used up")), config.runBudgetMs);
  // Never what keeps the process alive (a bug thrown before the walk must still exit at once).
  budget.unref();
  const client = new RegistryClient({
    url: config.registry.url,
    pinRealm: config.registry.pinRealm,
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
    signal: walk.signal,
    userAgent: "regguard-integrity-probe",
    ...(config.registry.username !== undefined ? { username: config.registry.username, password: config.registry.password ?? "" } : {}),
  });
  const startedAt = Date.now();
  let tally;
  try {
    tally = await probe(client, config, log, walk.signal);
  } finally {
    clearTimeout(budget);
    ctx.signal.removeEventListener("abort", onStop);
    await client.close();
  }
  const finishedAt = Date.now();
  const stopped = ctx.signal.aborted;
  if (stopped) tally.walkError ??= "stopped by a signal";
  else if (walk.signal.aborted) {
    tally.walkError = `the walk used up RUN_BUDGET (${config.runBudgetMs / 1000} s) and stopped; the counts are partial`;
    log.error("walk stopped: run budget used up", { runBudgetSeconds: config.runBudgetMs / 1000, repositories: tally.repositories, tags: tally.tags });
  }
  // Pushed even when stopped: the Pushgateway is not the registry, and a
  // partial picture beats a stale one.
  const pushed = await pushResults({ client: pushgateway, group, tally, startedAt, finishedAt }, log);
  const { requests, retries } = client.stats;
  log.info(summaryLine(tally), {
    failures: integrityFailures(tally),
    repositories: tally.repositories,
    tags: tally.tags,
    indexes: tally.indexes,
    manifests: tally.manifests,
    blobs: tally.blobs,
    requestErrors: tally.findings.request_error,
    findingsByKind: tally.findings,
    catalogAccessible: tally.catalogAccessible,
    pushed,
    requests,
    retries,
    durationSeconds: (finishedAt - startedAt) / 1000,
  });
  return exitCode(tally, pushed, stopped);
}
