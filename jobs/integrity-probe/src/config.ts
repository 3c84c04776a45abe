// PROBE_ENV -> a typed configuration, in the job-config pipeline: read every
// variable (flags override), normalise the shell CronJobs' legacy names,
// collect every problem, and only then hand back a config. Nothing here
// makes a request: a bad configuration exits 2 before the registry or the
// Pushgateway sees any traffic.
import { EnvReader, unknownFlags, type Env } from "@regguard/job-config";
import { PROBE_ENV } from "./env-schema.js";
import { resolvePushgateway, resolveRegistryUrl, pickSame } from "./legacy.js";

/** Everything a run needs, validated. */
export interface ProbeConfig {
  registry: {
    url: URL;
    username: string | undefined;
    password: string | undefined;
    /** Refuse a Bearer realm on another origin. */
    pinRealm: boolean;
  };
  /** Value of the `instance` label and grouping key. */
  instance: string;
  prefix: string | undefined;
  tagsPerRepo: number;
  checkBlobs: boolean;
  concurrency: number;
  timeoutMs: number;
  /** Milliseconds the walk may take (an endless catalog must still end with pushed gauges). */
  runBudgetMs: number;
  pushgateway: { url: URL; job: string };
}

/** Flags that are not variables: runMain handles them before config is read. */
const EXTRA_FLAGS = ["--help", "-h"];

/** Read and validate; throws ConfigError listing every problem at once. */
export function loadConfig(env: Env, argv: readonly string[] = []): ProbeConfig {
  const r = new EnvReader(PROBE_ENV, env, argv);
  for (const flag of unknownFlags(PROBE_ENV, argv, EXTRA_FLAGS)) r.problem(`unknown flag ${flag} (see --help)`);

  const url = resolveRegistryUrl(r);
  const username = pickSame(r, "REGISTRY_USERNAME", "REG_USER", false);
  const password = pickSame(r, "REGISTRY_PASSWORD", "REG_PASS", true);
  if (password !== undefined && username === undefined)
    r.problem("a registry password is set (REGISTRY_PASSWORD or REG_PASS) but no username (REGISTRY_USERNAME or REG_USER)");
  if (username !== undefined && password === undefined)
    r.problem("a registry username is set (REGISTRY_USERNAME or REG_USER) but no password (REGISTRY_PASSWORD or REG_PASS)");

  const pushgateway = resolvePushgateway(r);
  const instance = r.string("REGISTRY_INSTANCE") ?? url?.host;
  if (instance !== undefined && instance.trim() === "") r.problem("REGISTRY_INSTANCE must not be blank");
  const prefix = r.string("REPOSITORY_PREFIX");

  const config = {
    registry: { url, username, password, pinRealm: r.boolean("PIN_TOKEN_REALM") },
    instance,
    prefix: prefix === undefined || prefix === "" ? undefined : prefix,
    tagsPerRepo: r.integer("TAGS_PER_REPO"),
    checkBlobs: r.boolean("CHECK_BLOBS"),
    concurrency: r.integer("CONCURRENCY"),
    timeoutMs: r.integer("REQUEST_TIMEOUT_MS"),
    runBudgetMs: r.duration("RUN_BUDGET"),
    pushgateway,
  };
  // finish() throws when any problem was recorded, so the casts below only
  // run on a configuration whose required parts were all resolved.
  r.finish(undefined);
  return config as ProbeConfig;
}
