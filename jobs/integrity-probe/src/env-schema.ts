// The probe's environment contract; also read by --help, the README and the
// manifests check. Legacy names keep the shell CronJobs' env working as is.
import type { EnvSchema } from "@regguard/job-config";

export const PROBE_ENV: EnvSchema = [
  { name: "REGISTRY_URL", kind: "url", description: "Registry base URL, e.g. https://forgejo.example (or REGISTRY_HOST + REGISTRY_SCHEME)" },
  { name: "REGISTRY_INSTANCE", kind: "string", description: "Value of the instance label; defaults to host[:port] of the registry URL" },
  { name: "REGISTRY_USERNAME", kind: "string", description: "User for Basic auth / the token realm (read:package PAT owner)" },
  { name: "REGISTRY_PASSWORD", kind: "string", description: "Password or PAT", secret: true },
  { name: "REPOSITORY_PREFIX", kind: "string", description: "Only repositories starting with this prefix, e.g. viktor/" },
  { name: "PUSHGATEWAY_URL", kind: "url", description: "Pushgateway base URL; metrics are PUT to <url>/metrics/job/<job>/instance/<instance>" },
  { name: "PUSHGATEWAY_JOB", kind: "string", description: "Pushgateway grouping job", default: "registry-integrity-probe" },
  { name: "TAGS_PER_REPO", kind: "integer", description: "Check only the N newest-looking tags per repository (always with latest); 0 = all", default: "0", min: 0 },
  { name: "CHECK_BLOBS", kind: "boolean", description: "HEAD every config and layer blob with a size check", default: "true" },
  { name: "CONCURRENCY", kind: "integer", description: "Requests in flight to the registry", default: "16", min: 1, max: 256 },
  { name: "REQUEST_TIMEOUT_MS", kind: "integer", description: "Per-request timeout in milliseconds", default: "15000", min: 100 },
  { name: "PIN_TOKEN_REALM", kind: "boolean", description: "Refuse a Bearer realm on another origin than the registry (in-cluster jobs must not hairpin through a public realm)", default: "false" },
  { name: "REGISTRY_HOST", kind: "string", description: "Legacy: registry host[:port]; use REGISTRY_URL", legacy: true },
  { name: "REGISTRY_SCHEME", kind: "string", description: "Legacy: scheme for REGISTRY_HOST", legacy: true },
  { name: "REG_USER", kind: "string", description: "Legacy: REGISTRY_USERNAME", legacy: true },
  { name: "REG_PASS", kind: "string", description: "Legacy: REGISTRY_PASSWORD", legacy: true, secret: true },
  { name: "PUSHGATEWAY", kind: "url", description: "Legacy: full .../metrics/job/<job> URL", legacy: true },
];
