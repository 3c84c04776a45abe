// Retention's environment contract; also read by --help, the README and the
// manifests check.
import type { EnvSchema } from "@regguard/job-config";

export const RETENTION_ENV: EnvSchema = [
  { name: "FORGEJO_HOST", kind: "url", description: "Forgejo base URL, e.g. http://forgejo.forgejo.svc.cluster.local", required: true },
  { name: "FORGEJO_OWNER", kind: "string", description: "Owner (user or organisation) whose container packages are pruned", required: true },
  { name: "FORGEJO_TOKEN", kind: "string", description: "PAT with read:package and write:package, belonging to the owner, an admin or an owner-org member", required: true, secret: true },
  { name: "FORGEJO_USER", kind: "string", description: "Login for Basic auth on /v2 (defaults to the token's user)" },
  { name: "REGISTRY_URL", kind: "url", description: "OCI registry URL used to resolve references; defaults to FORGEJO_HOST" },
  { name: "KEEP_LAST_N", kind: "integer", description: "Newest tagged versions kept per package", default: "10", min: 0 },
  { name: "KEEP_TAGS", kind: "regex", description: "Tags always kept (case-insensitive regex)", default: "^latest$|cache" },
  { name: "DRY_RUN", kind: "boolean", description: "Plan only; true or false, any case", default: "true" },
  { name: "UNTAGGED_GRACE", kind: "duration", description: "Untagged sha256: versions younger than this are never deleted", default: "24h" },
  { name: "MAX_DELETE_PERCENT", kind: "number", description: "Refuse to apply when a package would lose more than this percentage of its versions", default: "50", min: 0, max: 100 },
  { name: "MAX_DELETES", kind: "integer", description: "Refuse to apply when more than this many versions would be deleted in total", default: "200", min: 0 },
  { name: "FORCE", kind: "boolean", description: "Apply even when a guard trips", default: "false" },
  { name: "PLAN_FILE", kind: "string", description: "Write the plan as JSON to this path" },
  { name: "CONCURRENCY", kind: "integer", description: "Requests in flight", default: "4", min: 1, max: 64 },
  { name: "PUSHGATEWAY_URL", kind: "url", description: "Optional Pushgateway base URL for run metrics" },
  { name: "PUSHGATEWAY_JOB", kind: "string", description: "Pushgateway grouping job", default: "forgejo-retention" },
];
