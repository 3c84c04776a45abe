// The probe's environment contract; also read by --help, the README and the
// manifests check. Legacy names keep the shell CronJobs' env working as is.
import type { EnvSchema } from "@regguard/job-config";

export const PROBE_ENV = [
  {
    name: "REGISTRY_URL",
    kind: "url",
    description: "Registry root URL, e.g. https://forgejo.example (no path); required unless the legacy REGISTRY_HOST is set",
  },
  { name: "REGISTRY_INSTANCE", kind: "string", description: "Value of the instance label; defaults to host[:port] of the registry URL" },
  {
    name: "REGISTRY_USERNAME",
    kind: "string",
    description: "User for Basic auth and the token realm (the owner of a read:package PAT); set with REGISTRY_PASSWORD or not at all",
  },
  { name: "REGISTRY_PASSWORD", kind: "string", description: "Password or PAT", secret: true },
  { name: "REPOSITORY_PREFIX", kind: "string", description: "Only repositories starting with this prefix, e.g. viktor/" },
  {
    name: "PUSHGATEWAY_URL",
    kind: "url",
    description: "Pushgateway base URL; each run PUTs its group <url>/metrics/job/<job>/instance/<instance>; required unless the legacy PUSHGATEWAY is set",
  },
  { name: "PUSHGATEWAY_JOB", kind: "string", description: "Pushgateway grouping job", default: "registry-integrity-probe" },
  {
    name: "TAGS_PER_REPO",
    kind: "integer",
    description: "Check only the N newest-looking tags per repository (natural sort, always including latest); 0 = every tag",
    default: "0",
    min: 0,
  },
  {
    name: "CHECK_BLOBS",
    kind: "boolean",
    description: "HEAD every config and layer blob with a size check (false: manifests and index children only)",
    default: "true",
  },
  { name: "CONCURRENCY", kind: "integer", description: "Requests in flight to the registry (tags in flight: twice as many)", default: "16", min: 1, max: 256 },
  {
    name: "REQUEST_TIMEOUT_MS",
    kind: "integer",
    description: "Per-request timeout in milliseconds; a request that still fails after 3 retries is a request_error, and the run goes on",
    default: "15000",
    min: 100,
  },
  {
    name: "RUN_BUDGET",
    kind: "duration",
    description:
      "Longest a walk may take; then it stops, the partial counts are pushed and the run exits 3 (keep it under the CronJob's activeDeadlineSeconds)",
    default: "9m",
  },
  {
    name: "PIN_TOKEN_REALM",
    kind: "boolean",
    description: "Refuse a Bearer realm on another origin than the registry (in-cluster jobs must not hairpin through a public realm)",
    default: "false",
  },
  { name: "REGISTRY_HOST", kind: "string", description: "Legacy: registry host[:port]; use REGISTRY_URL", legacy: true },
  { name: "REGISTRY_SCHEME", kind: "enum", values: ["http", "https"], description: "Legacy: http or https for REGISTRY_HOST (https when unset)", legacy: true },
  { name: "REG_USER", kind: "string", description: "Legacy: REGISTRY_USERNAME", legacy: true },
  { name: "REG_PASS", kind: "string", description: "Legacy: REGISTRY_PASSWORD", legacy: true, secret: true },
  { name: "PUSHGATEWAY", kind: "url", description: "Legacy: full <pushgateway>/metrics/job/<job> URL; the job part replaces PUSHGATEWAY_JOB", legacy: true },
] as const satisfies EnvSchema;
