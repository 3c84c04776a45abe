// --help text, generated from SYNC_ENV so it can never disagree with the parser.
import { envHelp } from "@regguard/job-config";
import { SYNC_ENV } from "./env-schema.js";

export function helpText(): string {
  return `sync: move images from one OCI registry to another digest for digest (registry:2 to Forgejo),
measure parity, and repair broken images from the other side.

Usage: node dist/main.js copy|check|repair|cutover [--flag=value ...]
  copy    copy every source tag the target lacks (children first, the tag last); a tag that
          points at another digest on the target is drift: reported, replaced only with OVERWRITE=true
  check   no writes: every source tag is in_parity, missing, drifted or broken (walked at the
          target: a child or blob missing); pushes registry_sync_* gauges when PUSHGATEWAY_URL is set
  repair  put back, by digest from the source, the missing pieces of every broken target tag,
          then walk it again (swap SOURCE and TARGET to repair registry:2 from Forgejo; with
          SOURCE_ARCHIVE the pieces come from a breakglass archive, verified whole first)
  cutover no writes: every image the cluster's workloads name or run (read from the Kubernetes
          API) that is ours: is it pulled from registry:2 or Forgejo today, and does Forgejo serve
          its digest completely (ready, missing, drifted, broken)? pushes registry_cutover_* gauges
copy and repair only plan unless DRY_RUN=false. Every variable can also be given as a flag.

Environment:
${envHelp(SYNC_ENV)}

Exit codes:
  0  done (check: every tag in parity; cutover: every workload image ready on Forgejo)
  1  drift, missing or broken tags, failed copies, or source names that collide on the target
     (cutover: a workload image missing, drifted or broken on Forgejo)
  2  configuration error (reported before any request)
  3  incomplete: the source (cutover: the workloads) could not be listed or SOURCE_ARCHIVE read, a tag could not be looked at, the metrics push
     failed, or an internal error (a bug, logged as one)
  130 stopped by SIGTERM/SIGINT (no new push starts)`;
}
