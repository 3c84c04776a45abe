// Breakglass `save`'s environment contract; also read by --help, the README
// and the manifests check.
import type { EnvSchema } from "@regguard/job-config";

export const BREAKGLASS_ENV: EnvSchema = [
  { name: "IMAGE", kind: "string", description: "Image to save: host[:port]/path/name:tag or @digest", required: true },
  { name: "REGISTRY_USERNAME", kind: "string", description: "User for the source registry" },
  { name: "REGISTRY_PASSWORD", kind: "string", description: "Password or PAT for the source registry", secret: true },
  { name: "REGISTRY_INSECURE", kind: "boolean", description: "Use plain http for the source registry", default: "false" },
  { name: "DESTINATIONS", kind: "list", description: "Comma-separated directories and s3://bucket/prefix URLs", required: true },
  { name: "ARCHIVE_NAME", kind: "string", description: "Archive base name; defaults to the repository's last path segment" },
  { name: "KEEP", kind: "integer", description: "Archives of this name kept per destination", default: "5", min: 1 },
  { name: "PLATFORM", kind: "string", description: "linux/amd64, a comma list, or all", default: "linux/amd64" },
  { name: "COMPRESS", kind: "string", description: "none (plain .tar) or gzip (.tar.gz)", default: "none" },
  { name: "S3_ENDPOINT", kind: "url", description: "S3 endpoint for MinIO/Synology/B2-style stores" },
  { name: "S3_REGION", kind: "string", description: "S3 region", default: "us-east-1" },
  { name: "S3_FORCE_PATH_STYLE", kind: "boolean", description: "Path-style bucket addressing", default: "true" },
  { name: "S3_ACCESS_KEY_ID", kind: "string", description: "S3 access key id", secret: true },
  { name: "S3_SECRET_ACCESS_KEY", kind: "string", description: "S3 secret access key", secret: true },
];
