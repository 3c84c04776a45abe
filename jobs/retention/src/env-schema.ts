// Retention's environment contract; also read by --help, the README and the
// manifests check.
import type { EnvSchema } from "@regguard/job-config";

export const RETENTION_ENV = [
  { name: "FORGEJO_HOST", kind: "url", description: "Forgejo base URL, e.g. http://forgejo.forgejo.svc.cluster.local", required: true },
  { name: "FORGEJO_OWNER", kind: "string", description: "Owner (user or organisation) whose container packages are pruned", required: true },
  {
    name: "FORGEJO_TOKEN",
    kind: "string",
    description:
      "PAT with write:package and read:user (plus read:organization when the owner is an organisation), of the owner, an admin or an owner-org member",
    required: true,
    secret: true,
  },
  { name: "FORGEJO_USER", kind: "string", description: "Login for Basic auth on /v2 (defaults to the token's user; Forgejo checks only the token)" },
  { name: "REGISTRY_URL", kind: "url", description: "The same Forgejo's /v2 base URL, used to read the reference graph; defaults to FORGEJO_HOST" },
  {
    name: "KEEP_LAST_N",
    kind: "integer",
    description: "Newest ordinary tags kept per package (latest, KEEP_TAGS matches, cosign and untagged versions do not count)",
    default: "10",
    min: 0,
  },
  { name: "KEEP_TAGS", kind: "regex", description: "Tags always kept (JavaScript regex, matched case-insensitively)", default: "^latest$|cache" },
  { name: "DRY_RUN", kind: "boolean", description: "Plan only; true or false in any case, anything else is a configuration error", default: "true" },
  { name: "UNTAGGED_GRACE", kind: "duration", description: "Untagged sha256: versions younger than this are never deleted", default: "24h" },
  {
    name: "MAX_DELETE_PERCENT",
    kind: "number",
    description: "Refuse to apply when a package would lose more than this percentage of its versions",
    default: "50",
    min: 0,
    max: 100,
  },
  { name: "MAX_DELETES", kind: "integer", description: "Refuse to apply when more than this many versions would be deleted in total", default: "200", min: 0 },
  { name: "FORCE", kind: "boolean", description: "Apply even when a guard trips", default: "false" },
  { name: "PLAN_FILE", kind: "string", description: "Also write the plan as JSON to this path (under /tmp in the CronJob)" },
  { name: "CONCURRENCY", kind: "integer", description: "Requests in flight to Forgejo and deletes in flight per package", default: "4", min: 1, max: 64 },
  {
    name: "IN_USE",
    kind: "enum",
    values: ["off", "kubernetes"],
    description:
      "off, or kubernetes: every tag and digest a workload names or runs (pods and their pulled digests, ReplicaSets, Deployments, StatefulSets, DaemonSets, ControllerRevisions, Jobs, CronJobs) is kept; if the workloads cannot all be listed, a live run deletes nothing and exits 2",
    default: "off",
  },
  {
    name: "IN_USE_ALIASES",
    kind: "string",
    description:
      "With IN_USE=kubernetes: the other names workloads use for this registry, as name=repository-prefix pairs, comma-separated (e.g. forgejo-http.forgejo.svc.cluster.local:3000=,registry.viktorbarzin.me=viktor/); REGISTRY_URL's host is always one (name=)",
  },
  {
    name: "IN_USE_PAGE_SIZE",
    kind: "integer",
    description: "With IN_USE=kubernetes: objects per list request (limit; the continue token fetches the rest)",
    default: "500",
    min: 1,
    max: 5000,
  },
  {
    name: "KUBECONFIG",
    kind: "string",
    description: "With IN_USE=kubernetes: a kubeconfig file; unset in the cluster, where the pod's service account is used",
  },
  {
    name: "PUSHGATEWAY_URL",
    kind: "url",
    description: "Optional Pushgateway base URL; the run's metrics replace group job/<PUSHGATEWAY_JOB>/owner/<FORGEJO_OWNER>",
  },
  { name: "PUSHGATEWAY_JOB", kind: "string", description: "Pushgateway grouping job", default: "forgejo-retention" },
] as const satisfies EnvSchema;
