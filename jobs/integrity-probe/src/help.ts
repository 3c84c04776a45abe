// --help text, generated from PROBE_ENV so it can never disagree with the parser.
import { envHelp } from "@regguard/job-config";
import { PROBE_ENV } from "./env-schema.js";

/** The whole --help output. */
export function helpText(): string {
  return `integrity-probe: check that every image in an OCI registry is servable through the API,
and push registry_manifest_integrity_* gauges to a Pushgateway.

Usage: node dist/main.js [--flag=value ...]
Every variable can also be given as a flag, e.g. --tags-per-repo=5 for TAGS_PER_REPO.

Environment:
${envHelp(PROBE_ENV)}

Exit codes:
  0  healthy: catalog read, walk finished, no integrity failures, metrics pushed
  1  integrity failures found (manifest/child/blob missing, digest/size mismatch, invalid manifest)
  2  configuration error (reported before any request)
  3  incomplete run: the catalog could not be read, the walk stopped, a request error left a tag
     or blob unchecked, the metrics push failed (no answer or 5xx: 3 attempts; a 4xx is final),
     or an internal error (a bug, logged as one)
  130 stopped by SIGTERM/SIGINT (metrics still pushed)`;
}
