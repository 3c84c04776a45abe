// Breakglass's environment contract; also read by --help, the README and the
// manifests check. `save` reads all of it; `restore` reads the REGISTRY_*
// names for the target registry; `verify` reads none.
import type { EnvSchema } from "@regguard/job-config";

export const BREAKGLASS_ENV = [
  {
    name: "IMAGE",
    kind: "string",
    description: "Image to save, named as pods use it: host[:port]/path/name:tag (or @digest); the archive carries this name",
    required: true,
  },
  {
    name: "REGISTRY_URL",
    kind: "url",
    description:
      "Where to reach IMAGE's registry when it is not https://<IMAGE host> (e.g. the in-cluster service); the archive keeps IMAGE's name, and a token realm on another origin is refused (no hairpin)",
  },
  { name: "REGISTRY_USERNAME", kind: "string", description: "User for the source registry (restore: the target registry)" },
  { name: "REGISTRY_PASSWORD", kind: "string", description: "Password or PAT for the source registry (restore: the target registry)", secret: true },
  {
    name: "REGISTRY_INSECURE",
    kind: "boolean",
    description:
      "Use plain http (true) or https (false) for the registry when REGISTRY_URL is not set; unset: http for a loopback host (localhost, *.localhost, 127.0.0.0/8, [::1]), else https",
  },
  { name: "DESTINATIONS", kind: "list", description: "Comma-separated absolute directories (must exist) and s3://bucket/prefix URLs", required: true },
  { name: "ARCHIVE_NAME", kind: "string", description: "Archive base name (letters, digits, . _ -); defaults to the repository's last path segment" },
  {
    name: "TRANSFER_STALL_AFTER",
    kind: "duration",
    description: "A layer download that moves less than 1 KiB/s for this long is stopped as stalled (the save fails; nothing is replaced)",
    default: "60s",
  },
  { name: "KEEP", kind: "integer", description: "Archives of this name kept per destination; the one latest points to is never pruned", default: "5", min: 1 },
  {
    name: "PLATFORM",
    kind: "string",
    description: "linux/amd64, a comma list (index trimmed to those, still complete), or all (the registry's index unchanged)",
    default: "linux/amd64",
  },
  {
    name: "COMPRESS",
    kind: "enum",
    values: ["none", "gzip"],
    description: "none (plain .tar, what ctr 1.6 imports directly) or gzip (.tar.gz)",
    default: "none",
  },
  { name: "S3_ENDPOINT", kind: "url", description: "S3 endpoint for MinIO/Synology/B2-style stores; AWS when unset" },
  { name: "S3_REGION", kind: "string", description: "S3 region", default: "us-east-1" },
  { name: "S3_FORCE_PATH_STYLE", kind: "boolean", description: "Path-style bucket addressing (MinIO, Synology)", default: "true" },
  { name: "S3_ACCESS_KEY_ID", kind: "string", description: "S3 access key id (with S3_SECRET_ACCESS_KEY; else the AWS default chain)", secret: true },
  { name: "S3_SECRET_ACCESS_KEY", kind: "string", description: "S3 secret access key", secret: true },
] as const satisfies EnvSchema;
