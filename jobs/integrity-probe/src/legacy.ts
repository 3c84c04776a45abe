// The shell CronJobs' variables keep working unchanged (REGISTRY_HOST +
// REGISTRY_SCHEME, REG_USER, REG_PASS, PUSHGATEWAY as a full
// .../metrics/job/<job> URL). Old and new names may both be set only when
// they agree; a disagreement is a configuration error, never a silent pick.
import type { EnvName, EnvReader } from "@regguard/job-config";
import type { PROBE_ENV } from "./env-schema.js";

/** The probe's reader: names and defaults known at compile time. */
type ProbeReader = EnvReader<typeof PROBE_ENV>;

/** REGISTRY_URL, or REGISTRY_SCHEME://REGISTRY_HOST; undefined after recording a problem. */
export function resolveRegistryUrl(r: ProbeReader): URL | undefined {
  const url = r.url("REGISTRY_URL");
  if (url && (url.pathname !== "/" || url.search || url.hash)) {
    r.problem(
      `REGISTRY_URL must be the registry's root URL without a path, query or fragment (the API lives at /v2/), got ${url.pathname}${url.search ? " with a query (not shown: it may hold a token)" : ""}`,
    );
  }
  const legacy = legacyRegistryUrl(r, url);
  if (url && legacy && url.origin !== legacy.origin) {
    r.problem(`REGISTRY_URL (${url.origin}) and REGISTRY_SCHEME://REGISTRY_HOST (${legacy.origin}) disagree; set only REGISTRY_URL`);
    return undefined;
  }
  const chosen = url ?? legacy;
  if (!chosen && !r.has("REGISTRY_URL") && !r.has("REGISTRY_HOST")) r.problem("REGISTRY_URL is required (or the legacy REGISTRY_HOST, with REGISTRY_SCHEME)");
  return chosen;
}

function legacyRegistryUrl(r: ProbeReader, url: URL | undefined): URL | undefined {
  const scheme = r.enum("REGISTRY_SCHEME");
  // Given but not http or https: the reader recorded the problem.
  if (scheme === undefined && r.has("REGISTRY_SCHEME")) return undefined;
  const host = r.string("REGISTRY_HOST")?.trim();
  if (host === undefined) {
    if (scheme !== undefined && !r.has("REGISTRY_URL")) r.problem("REGISTRY_SCHEME is set but REGISTRY_HOST is not");
    if (scheme !== undefined && url) {
      if (url.protocol !== `${scheme}:`)
        r.problem(`REGISTRY_SCHEME (${scheme}) disagrees with REGISTRY_URL (${url.protocol.slice(0, -1)}); set only REGISTRY_URL`);
    }
    return undefined;
  }
  // A host[:port], as the shell script pasted it between scheme:// and /v2/.
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
    r.problem(`REGISTRY_HOST must be a host or host:port without scheme, path or credentials, got ${JSON.stringify(host.replace(/^[^@]*@/, "***@"))}`);
    return undefined;
  }
  return new URL(`${scheme ?? "https"}://${host}`);
}

/** The new name's value, else the legacy one's; both set and different is a problem. */
export function pickSame(r: ProbeReader, current: EnvName<typeof PROBE_ENV>, legacy: EnvName<typeof PROBE_ENV>, secret: boolean): string | undefined {
  const a = r.string(current);
  const b = r.string(legacy);
  if (a !== undefined && b !== undefined && a !== b) {
    r.problem(`${current} and ${legacy} are both set and differ${secret ? "" : ` (${JSON.stringify(a)} vs ${JSON.stringify(b)})`}; set only ${current}`);
  }
  return a ?? b;
}

/** The shell probe's PUSHGATEWAY: <base>/metrics/job/<job>, optional trailing slash. */
const LEGACY_PUSH_PATH = /^(.*?)\/metrics\/job\/([^/@]+)\/?$/;

/** Pushgateway base URL and job, from PUSHGATEWAY_URL + PUSHGATEWAY_JOB or the legacy PUSHGATEWAY. */
export function resolvePushgateway(r: ProbeReader): { url: URL; job: string } | undefined {
  const job = r.string("PUSHGATEWAY_JOB");
  if (job.trim() === "") r.problem("PUSHGATEWAY_JOB must not be blank");
  if (r.has("PUSHGATEWAY_URL") && r.has("PUSHGATEWAY")) {
    r.problem("PUSHGATEWAY_URL and the legacy PUSHGATEWAY are both set; set only PUSHGATEWAY_URL (base URL) and PUSHGATEWAY_JOB");
    return undefined;
  }
  const base = r.url("PUSHGATEWAY_URL");
  if (base) {
    if (/\/metrics(\/|$)/.test(base.pathname)) {
      r.problem(`PUSHGATEWAY_URL is the Pushgateway's base URL; put the job in PUSHGATEWAY_JOB (got a path ${base.pathname})`);
      return undefined;
    }
    return { url: base, job };
  }
  const legacy = r.url("PUSHGATEWAY");
  if (legacy) {
    const m = LEGACY_PUSH_PATH.exec(legacy.pathname);
    if (!m || legacy.search) {
      r.problem(`PUSHGATEWAY must be a full URL ending in /metrics/job/<job> (the shell probe's form), got path ${legacy.pathname}`);
      return undefined;
    }
    const legacyJob = decodeURIComponent(m[2] as string);
    if (r.has("PUSHGATEWAY_JOB") && legacyJob !== job) {
      r.problem(`PUSHGATEWAY names job ${JSON.stringify(legacyJob)} but PUSHGATEWAY_JOB is ${JSON.stringify(job)}; set only one`);
      return undefined;
    }
    const url = new URL(legacy);
    url.pathname = m[1] || "/";
    return { url, job: legacyJob };
  }
  if (!r.has("PUSHGATEWAY_URL") && !r.has("PUSHGATEWAY")) {
    r.problem(
      "PUSHGATEWAY_URL is required (or the legacy PUSHGATEWAY=<url>/metrics/job/<job>): a probe whose results go nowhere is the failure this job replaces",
    );
  }
  return undefined;
}
