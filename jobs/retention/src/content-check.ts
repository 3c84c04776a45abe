// What an untagged version really holds, asked before it may be deleted. Forgejo names a digest
// push after the digest in the URL and never checks that the body hashes to it
// (routers/api/packages/container/manifest.go: the version is `mci.Reference`, the stored digest
// is the body's), while /v2 finds a manifest by digest through the stored digest property
// (models/packages/container/search.go). So `sha256:Z` can hold the bytes of A, and a kept index
// that references A is served from the version named Z: deleting Z, which nothing references by
// name, would break it. The files API's manifest.json sha256 is the stored content.
//
// Only deletion candidates are checked (one files call each), and that is enough: a digest a kept
// manifest references is served by /v2 from the version that stores it. That version is either
// kept, or a candidate, and a candidate storing a digest other than its name fails this check.
import { ForgejoNotFoundError, type ForgejoClient } from "@regguard/forgejo-client";
import { freezePlan } from "./freeze.js";
import { messageOf } from "./inventory.js";
import { mapLimit } from "./limit.js";
import type { PackagePlan } from "./model.js";
import { nameKind } from "./names.js";

type Api = Pick<ForgejoClient, "manifestDigest">;

/** The plan, frozen when an untagged deletion candidate does not hold what its name says. */
export async function checkCandidates(api: Api, owner: string, plan: PackagePlan, concurrency: number, signal?: AbortSignal): Promise<PackagePlan> {
  const candidates = plan.decisions.filter((d) => d.action === "delete" && nameKind(d.version).kind === "untagged");
  const problems = await mapLimit(
    candidates,
    concurrency,
    async (d): Promise<string | undefined> => {
      let held: string;
      try {
        held = await api.manifestDigest(owner, plan.name, d.version, signal);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (e instanceof ForgejoNotFoundError) return `cannot tell what ${d.version} holds: ${messageOf(e)} (deleted during the run?)`;
        return `cannot tell what ${d.version} holds (files API): ${messageOf(e)}`;
      }
      if (held === d.version) return undefined;
      return `version ${d.version} holds a manifest whose sha256 is ${held}: its name lies about its content, and a kept image may need it under its real digest`;
    },
    signal,
  );
  return freezePlan(
    plan,
    problems.filter((p): p is string => p !== undefined),
  );
}
