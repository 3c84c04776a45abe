// IN_USE=kubernetes: what the cluster's workloads name or run, as kept roots per package. A Deployment
// keeps ten ReplicaSets (its rollback targets) whose tags can fall outside KEEP_LAST_N, and a pod keeps
// running the digest a mutable tag pointed at when it started; once `latest` is re-pushed that digest
// is an untagged version that UNTAGGED_GRACE alone would delete a day later (docs/design.md, R1: the
// first live run was checked against the running pods by hand). The list is all or nothing: a list
// that failed, timed out or was forbidden leaves "what is in use" unknown.
import type { Logger } from "@regguard/job-runtime";
import { inUseByRepository, type KubeListError } from "@regguard/kube-images";
import type { InUseConfig } from "./config.js";
import type { DigestText, InUseRoot } from "./model.js";

/** What the plan says about the cluster: read (with counts), off, or unknown (and why). */
export type InUseState =
  | { state: "off" }
  | { state: "read"; source: string; objects: Record<string, number>; images: number; repositories: number; requests: number; unread: number }
  | { state: "unknown"; error: string; code: string };

export interface InUseResult {
  summary: InUseState;
  /** Repository (`owner/name`, lower case) -> its in-use roots. */
  byRepository: ReadonlyMap<string, InUseRoot[]>;
}

/** Reads the workloads (or not, with IN_USE=off); never throws for the cluster's answers. */
export async function readInUse(config: InUseConfig, log: Logger, signal: AbortSignal): Promise<InUseResult> {
  if (config.mode === "off") return { summary: { state: "off" }, byRepository: new Map() };
  try {
    // Loaded only here: the Kubernetes client costs every other run memory and start-up time.
    const { listWorkloadImages } = await import("@regguard/kube-images/list");
    const found = await listWorkloadImages({ env: config.env, pageSize: config.pageSize, signal });
    const grouped = inUseByRepository(found.uses, config.aliases);
    const byRepository = new Map<string, InUseRoot[]>();
    for (const [repository, refs] of grouped) {
      byRepository.set(
        repository,
        refs.map((r) => ({ ...(r.tag !== undefined ? { tag: r.tag } : {}), ...(isSha256(r.digest) ? { digest: r.digest } : {}), by: r.by })),
      );
    }
    for (const u of found.unread)
      log.warn("a workload names an image no runtime can pull; it cannot be matched to a package", { by: u.by, field: u.field, image: u.text, why: u.why });
    const summary: InUseState = {
      state: "read",
      source: found.source,
      objects: found.objects,
      requests: found.requests,
      unread: found.unread.length,
      images: [...grouped.values()].reduce((n, refs) => n + refs.length, 0),
      repositories: grouped.size,
    };
    log.info("in use: the cluster's workloads were read", { ...summary, aliases: config.aliases.map((a) => `${a.from}=${a.to}`) });
    return { summary, byRepository };
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    const err = e as KubeListError;
    return { summary: { state: "unknown", error: err.message, code: err.code ?? "KUBE_LIST_FAILED" }, byRepository: new Map() };
  }
}

/** Versions are named by sha256 digests (the only algorithm the oci-client accepts, too). */
const isSha256 = (d: string | undefined): d is DigestText => d !== undefined && d.startsWith("sha256:");
