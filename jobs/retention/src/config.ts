// Environment (and --flags) -> a typed configuration, every problem reported
// at once before any request (exit 2). DRY_RUN accepts only true/false in any
// case: the shell version deleted for real on `TRUE` (docs/design.md, R4).
import { EnvReader, unknownFlags, type Env } from "@regguard/job-config";
import { parseAliases, type RegistryAlias } from "@regguard/kube-images";
import { RETENTION_ENV } from "./env-schema.js";
import type { KeepRules } from "./keep-set.js";

/** Everything a run needs to know, validated. */
export interface RetentionConfig {
  forgejoUrl: URL;
  owner: string;
  /** Never logged; see report.ts for what is. */
  token: string;
  /** Login for Basic on /v2; the token's own login when unset. */
  registryUser: string | undefined;
  registryUrl: URL;
  rules: KeepRules;
  dryRun: boolean;
  maxDeletePercent: number;
  maxDeletes: number;
  force: boolean;
  planFile: string | undefined;
  concurrency: number;
  pushgateway: { url: URL; job: string } | undefined;
  /** IN_USE: whether (and how) the cluster's workloads are read for kept roots. */
  inUse: InUseConfig;
}

/** IN_USE=off, or kubernetes with the names that mean this registry. */
export type InUseConfig = { mode: "off" } | { mode: "kubernetes"; aliases: RegistryAlias[]; pageSize: number; env: Env };

/** Forgejo user and organisation names (models/user: IsValidUsername, roughly). */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Parse and validate; throws ConfigError listing every problem. */
export function loadConfig(env: Env, argv: readonly string[] = []): RetentionConfig {
  const r = new EnvReader(RETENTION_ENV, env, argv);
  for (const flag of unknownFlags(RETENTION_ENV, argv, ["--help", "-h"])) r.problem(`unknown flag ${flag} (see --help)`);
  const forgejoUrl = r.url("FORGEJO_HOST");
  const owner = r.string("FORGEJO_OWNER")?.trim();
  if (owner !== undefined && !OWNER.test(owner)) r.problem(`FORGEJO_OWNER must be a Forgejo user or organisation name, got ${JSON.stringify(owner)}`);
  // Secrets mounted from files often end in a newline; anything else inside is a mistake. Never echo it.
  const token = r.string("FORGEJO_TOKEN")?.trim();
  if (token !== undefined && (token === "" || /\s/.test(token))) r.problem("FORGEJO_TOKEN must be a single token without spaces");
  const registryUser = r.string("FORGEJO_USER")?.trim() || undefined;
  const registryUrl = r.has("REGISTRY_URL") ? r.url("REGISTRY_URL") : forgejoUrl;
  const keepTags = r.regex("KEEP_TAGS");
  const pushgatewayUrl = r.url("PUSHGATEWAY_URL");
  const pushgatewayJob = r.string("PUSHGATEWAY_JOB");
  const inUseMode = r.enum("IN_USE");
  let aliases: RegistryAlias[] = [];
  try {
    aliases = parseAliases(r.string("IN_USE_ALIASES") ?? "");
  } catch (e) {
    r.problem(`IN_USE_ALIASES: ${(e as Error).message}`);
  }
  // The registry retention reads is always one name of itself: host/owner/name is owner/name.
  if (registryUrl && !aliases.some((a) => a.from === registryUrl.host.toLowerCase())) aliases.unshift({ from: registryUrl.host.toLowerCase(), to: "" });
  const pageSize = r.integer("IN_USE_PAGE_SIZE");
  const kubeconfig = r.string("KUBECONFIG")?.trim();
  const config = {
    forgejoUrl: forgejoUrl as URL,
    owner: owner as string,
    token: token as string,
    registryUser,
    registryUrl: registryUrl as URL,
    rules: {
      keepLastN: r.integer("KEEP_LAST_N"),
      keepTags: caseInsensitive(keepTags ?? /$^/),
      untaggedGraceMs: r.duration("UNTAGGED_GRACE"),
    },
    dryRun: r.boolean("DRY_RUN"),
    maxDeletePercent: r.number("MAX_DELETE_PERCENT"),
    maxDeletes: r.integer("MAX_DELETES"),
    force: r.boolean("FORCE"),
    planFile: r.string("PLAN_FILE")?.trim() || undefined,
    concurrency: r.integer("CONCURRENCY"),
    pushgateway: pushgatewayUrl ? { url: pushgatewayUrl, job: pushgatewayJob } : undefined,
    inUse:
      inUseMode === "kubernetes"
        ? { mode: "kubernetes" as const, aliases, pageSize, env: { ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}), ...inClusterEnv(env) } }
        : { mode: "off" as const },
  };
  return r.finish(config);
}

/** Forgejo stores tags lower-cased, so `CACHE` must still match `buildcache`. */
function caseInsensitive(re: RegExp): RegExp {
  const flags = re.flags.replace(/[gy]/g, "");
  return new RegExp(re.source, flags.includes("i") ? flags : `${flags}i`);
}

/** What the Kubernetes client reads to find the API server from inside a pod. */
function inClusterEnv(env: Env): Env {
  const out: Record<string, string> = {};
  for (const k of ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"]) {
    const v = env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
