// The sync job's environment contract; also read by --help, the README and the manifests check.
import type { EnvSchema } from "@regguard/job-config";

export const SYNC_ENV = [
  {
    name: "SOURCE_URL",
    kind: "url",
    description: "Registry to copy from, e.g. https://registry.viktorbarzin.me (no path); required unless SOURCE_ARCHIVE is set",
  },
  {
    name: "SOURCE_ARCHIVE",
    kind: "string",
    description:
      "A breakglass archive (.tar or .tar.gz) to read instead of SOURCE_URL: repair puts back what a target image lost from it; verified whole before anything is sent (not with cutover)",
  },
  { name: "SOURCE_USERNAME", kind: "string", description: "User for the source; set with SOURCE_PASSWORD or not at all" },
  { name: "SOURCE_PASSWORD", kind: "string", description: "Password or token for the source", secret: true },
  { name: "TARGET_URL", kind: "url", description: "Registry to copy to, e.g. https://forgejo.viktorbarzin.me (no path)", required: true },
  {
    name: "TARGET_USERNAME",
    kind: "string",
    description: "User for the target (the owner of a write:package PAT on Forgejo); set with TARGET_PASSWORD or not at all",
  },
  { name: "TARGET_PASSWORD", kind: "string", description: "Password or PAT for the target", secret: true },
  {
    name: "TARGET_PREFIX",
    kind: "string",
    description: "Prepended to every source repository name on the target, e.g. viktor/ (names are lower-cased for Forgejo)",
    default: "",
  },
  {
    name: "SOURCE_PREFIX",
    kind: "string",
    description:
      "Only source repositories under this prefix, which is removed from the target name (repair registry:2 from Forgejo: SOURCE_PREFIX=viktor/, TARGET_PREFIX empty)",
    default: "",
  },
  { name: "REPOSITORIES", kind: "regex", description: "Only source repositories whose whole name matches this regular expression (default: all)" },
  {
    name: "TAGS",
    kind: "regex",
    description: "Only tags whose whole name matches (default: all); cosign sha256-<hex>.sig/.att/.sbom tags of a selected tag's digest come along",
  },
  {
    name: "DRY_RUN",
    kind: "boolean",
    description: "copy and repair only plan and print (the target is sent nothing but reads); true or false",
    default: "true",
  },
  {
    name: "OVERWRITE",
    kind: "boolean",
    description: "copy replaces a target tag that points at another digest (drift) instead of reporting it",
    default: "false",
  },
  {
    name: "CONCURRENCY",
    kind: "integer",
    description: "Tags worked on at once (each registry gets as many requests in flight)",
    default: "8",
    min: 1,
    max: 64,
  },
  {
    name: "REQUEST_TIMEOUT_MS",
    kind: "integer",
    description: "Per-request timeout in milliseconds for manifests and listings (blobs use a stall limit instead)",
    default: "30000",
    min: 100,
  },
  {
    name: "PUSHGATEWAY_URL",
    kind: "url",
    description: "Pushgateway base URL; check PUTs its group <url>/metrics/job/<job>/instance/<instance> (unset: no push)",
  },
  { name: "PUSHGATEWAY_JOB", kind: "string", description: "Pushgateway grouping job", default: "registry-sync" },
  {
    name: "SOURCE_ALIASES",
    kind: "list",
    description:
      "cutover: other names by which workloads pull from the source, comma-separated host[:port][/path] (e.g. registry.viktorbarzin.me:5050); SOURCE_URL's host is always one",
  },
  {
    name: "TARGET_ALIASES",
    kind: "list",
    description: "cutover: other names by which workloads pull from the target (e.g. forgejo.viktorbarzin.me); TARGET_URL's host is always one",
  },
  { name: "KUBECONFIG", kind: "string", description: "cutover: a kubeconfig file; unset in the cluster, where the pod's service account is used" },
  {
    name: "KUBE_PAGE_SIZE",
    kind: "integer",
    description: "cutover: objects per Kubernetes list request (limit; continue fetches the rest)",
    default: "500",
    min: 1,
    max: 5000,
  },
  { name: "INSTANCE", kind: "string", description: "Value of the instance label; defaults to host[:port] of TARGET_URL" },
] as const satisfies EnvSchema;
