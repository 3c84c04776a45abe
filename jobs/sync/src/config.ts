// SYNC_ENV and the command -> a typed configuration. Every problem is collected and reported at
// once (exit 2) before either registry sees a request.
import { EnvReader, unknownFlags, type Env } from "@regguard/job-config";
import type { CutoverNames } from "./cutover-plan.js";
import { SYNC_ENV } from "./env-schema.js";

/** What a run does: copy what is missing, check parity (no writes), or repair broken target images. */
export type SyncCommand = "copy" | "check" | "repair" | "cutover";
export const SYNC_COMMANDS: readonly SyncCommand[] = ["copy", "check", "repair", "cutover"];

/** One side of the move. */
export interface Endpoint {
  url: URL;
  username: string | undefined;
  password: string | undefined;
}

/** Everything a run needs, validated. */
export interface SyncConfig {
  command: SyncCommand;
  /** The source registry; undefined when `sourceArchive` is the source (exactly one is set). */
  source: Endpoint | undefined;
  /** SOURCE_ARCHIVE: a breakglass archive read instead of a source registry. */
  sourceArchive: string | undefined;
  target: Endpoint;
  prefix: string;
  /** Source repositories under it only; removed from target names. */
  sourcePrefix: string;
  repositories: RegExp | undefined;
  tags: RegExp | undefined;
  dryRun: boolean;
  overwrite: boolean;
  concurrency: number;
  timeoutMs: number;
  pushgateway: { url: URL; job: string } | undefined;
  instance: string;
  /** cutover: how workloads name each registry, and where the Kubernetes client finds the API. */
  cutover: { names: CutoverNames; pageSize: number; env: Env };
}

const EXTRA_FLAGS = ["--help", "-h"];
/** Repository path components as distribution allows them, each followed by a slash. */
const PREFIX = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*\/$/;

/** Read and validate; throws ConfigError listing every problem at once. */
export function loadConfig(env: Env, argv: readonly string[] = []): SyncConfig {
  const positional = argv.filter((a) => !a.startsWith("-"));
  const flags = argv.filter((a) => a.startsWith("-"));
  const r = new EnvReader(SYNC_ENV, env, flags);
  for (const flag of unknownFlags(SYNC_ENV, flags, EXTRA_FLAGS)) r.problem(`unknown flag ${flag} (see --help)`);
  const command = positional[0];
  if (command === undefined) r.problem(`a command is required: ${SYNC_COMMANDS.join(", ")} (see --help)`);
  else if (!SYNC_COMMANDS.includes(command as SyncCommand)) r.problem(`unknown command ${JSON.stringify(command)}: expected ${SYNC_COMMANDS.join(", ")}`);
  if (positional.length > 1) r.problem(`one command only, got ${positional.length}: ${positional.join(" ")}`);

  const endpoint = (side: "SOURCE" | "TARGET"): Endpoint => {
    const username = r.string(`${side}_USERNAME`);
    const password = r.string(`${side}_PASSWORD`);
    if (password !== undefined && username === undefined) r.problem(`${side}_PASSWORD is set but ${side}_USERNAME is not`);
    if (username !== undefined && password === undefined) r.problem(`${side}_USERNAME is set but ${side}_PASSWORD is not`);
    const url = r.url(`${side}_URL`);
    if (url && (url.pathname !== "/" || url.search))
      r.problem(`${side}_URL must be the registry root (no path or query), got ${url.origin}${url.pathname === "/" ? "" : url.pathname}`);
    return { url: url as URL, username, password };
  };
  const sourceArchive = r.string("SOURCE_ARCHIVE");
  const fromRegistry = endpoint("SOURCE");
  if (sourceArchive !== undefined) {
    if (sourceArchive.trim() === "") r.problem("SOURCE_ARCHIVE must not be blank");
    if (fromRegistry.url) r.problem("set SOURCE_URL or SOURCE_ARCHIVE, not both");
    if (fromRegistry.username !== undefined) r.problem("SOURCE_USERNAME and SOURCE_PASSWORD are for SOURCE_URL; an archive needs none");
    if (command === "cutover") r.problem("cutover reads the source registry's names; it cannot use SOURCE_ARCHIVE");
  } else if (!fromRegistry.url)
    r.problem("SOURCE_URL is required unless SOURCE_ARCHIVE is set: the registry to copy from, e.g. https://registry.viktorbarzin.me");
  const source = sourceArchive === undefined ? fromRegistry : undefined;
  const target = endpoint("TARGET");
  if (source?.url && target.url && source.url.origin === target.url.origin && r.string("TARGET_PREFIX") === r.string("SOURCE_PREFIX")) {
    r.problem("SOURCE_URL and TARGET_URL are the same registry and SOURCE_PREFIX equals TARGET_PREFIX: every image would be copied onto itself");
  }
  const prefix = r.string("TARGET_PREFIX");
  const sourcePrefix = r.string("SOURCE_PREFIX");
  for (const [name, value] of [
    ["TARGET_PREFIX", prefix],
    ["SOURCE_PREFIX", sourcePrefix],
  ] as const) {
    if (value !== "" && !PREFIX.test(value)) r.problem(`${name} must be lower-case path components ending in /, e.g. viktor/, got ${JSON.stringify(value)}`);
  }
  const pgUrl = r.url("PUSHGATEWAY_URL");
  if (pgUrl && (pgUrl.username || pgUrl.password)) r.problem("PUSHGATEWAY_URL must not contain credentials");
  const instance = r.string("INSTANCE") ?? target.url?.host;
  if (instance !== undefined && instance.trim() === "") r.problem("INSTANCE must not be blank");
  const names = (name: "SOURCE_ALIASES" | "TARGET_ALIASES", url: URL | undefined): string[] => {
    const list = (r.list(name) ?? []).map((s) => s.trim().toLowerCase().replace(/\/+$/, "")).filter((s) => s !== "");
    for (const n of list) if (!/^[a-z0-9.-]+(?::\d{1,5})?(?:\/[a-z0-9._-]+)*$/.test(n)) r.problem(`${name}: ${JSON.stringify(n)} is not host[:port][/path]`);
    return url && !list.includes(url.host) ? [url.host, ...list] : list;
  };
  const kubeconfig = r.string("KUBECONFIG")?.trim();
  const cutover = {
    names: { source: names("SOURCE_ALIASES", source?.url), target: names("TARGET_ALIASES", target.url), sourcePrefix, targetPrefix: prefix },
    pageSize: r.integer("KUBE_PAGE_SIZE"),
    env: {
      ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
      ...(env.KUBERNETES_SERVICE_HOST ? { KUBERNETES_SERVICE_HOST: env.KUBERNETES_SERVICE_HOST } : {}),
    },
  };
  const config = {
    cutover,
    command: command as SyncCommand,
    source,
    sourceArchive,
    target,
    prefix,
    sourcePrefix,
    repositories: whole(r.regex("REPOSITORIES")),
    tags: whole(r.regex("TAGS")),
    dryRun: r.boolean("DRY_RUN"),
    overwrite: r.boolean("OVERWRITE"),
    concurrency: r.integer("CONCURRENCY"),
    timeoutMs: r.integer("REQUEST_TIMEOUT_MS"),
    pushgateway: pgUrl ? { url: pgUrl, job: r.string("PUSHGATEWAY_JOB") } : undefined,
    instance: instance as string,
  };
  return r.finish(config);
}

/** A pattern must match the whole name: `app` must not select `my-app-old`. */
function whole(re: RegExp | undefined): RegExp | undefined {
  return re === undefined ? undefined : new RegExp(`^(?:${re.source})$`, re.flags);
}
