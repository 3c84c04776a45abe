// cutover, step 2 (I/O): for every workload image, does Forgejo serve the same digest completely?
// The digest is the one the workload runs (a pod's pulled imageID, or `@digest` in the spec), else
// what its tag resolves to where it is pulled from today. Walked like the probe: children and blobs.
//   ready    Forgejo serves that digest, every child and blob present
//   missing  Forgejo does not have it (nor the tag)
//   drifted  Forgejo has the tag, at another digest
//   broken   Forgejo has the digest, but a child or blob is missing or wrong
// and, counted besides those, on_registry2: the image is still pulled from registry:2.
import { NotFoundError, walkImage, type Digest, type RegistryClient } from "@regguard/oci-client";
import type { CutoverImage } from "./cutover-plan.js";

export const CUTOVER_STATES = ["ready", "missing", "drifted", "broken"] as const;
export type CutoverState = (typeof CUTOVER_STATES)[number];

export interface CutoverOutcome {
  image: CutoverImage;
  /** undefined: the registries could not be asked (the run is incomplete, exit 3). */
  state: CutoverState | undefined;
  /** The digest checked on Forgejo, and where it came from. */
  digest: Digest | undefined;
  digestFrom: "workload" | "source tag" | "target tag" | undefined;
  /** Forgejo's digest for the tag when it differs (drifted). */
  targetDigest?: Digest;
  detail?: string;
}

/** HEAD by tag or digest: the digest, undefined on 404; anything else throws. */
async function headDigest(client: RegistryClient, repository: string, target: string): Promise<Digest | undefined> {
  try {
    return (await client.headManifest(repository, target)).digest ?? (await client.manifest(repository, target)).digest;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

export async function checkCutoverImage(image: CutoverImage, source: RegistryClient, target: RegistryClient): Promise<CutoverOutcome> {
  const out: CutoverOutcome = { image, state: undefined, digest: image.digest, digestFrom: image.digest !== undefined ? "workload" : undefined };
  try {
    if (out.digest === undefined && image.tag !== undefined && image.pullsFrom === "source" && image.sourceRepository !== undefined) {
      out.digest = await headDigest(source, image.sourceRepository, image.tag);
      if (out.digest !== undefined) out.digestFrom = "source tag";
    }
    const targetTag = image.tag !== undefined ? await headDigest(target, image.targetRepository, image.tag) : undefined;
    if (out.digest === undefined && targetTag !== undefined) {
      out.digest = targetTag;
      out.digestFrom = "target tag";
    }
    if (out.digest === undefined) return { ...out, state: "missing", detail: "neither the workload nor a registry names a digest for it" };
    if ((await headDigest(target, image.targetRepository, out.digest)) === undefined) {
      if (targetTag !== undefined && targetTag !== out.digest)
        return { ...out, state: "drifted", targetDigest: targetTag, detail: `Forgejo's ${image.tag} is ${targetTag}` };
      return { ...out, state: "missing", detail: `Forgejo does not serve ${image.targetRepository}@${out.digest}` };
    }
    const problems: string[] = [];
    let unverified: string | undefined;
    for await (const e of walkImage(target, image.targetRepository, out.digest, { checkBlobs: true })) {
      if (e.type !== "finding") continue;
      if (e.finding.kind === "request_error") unverified ??= e.finding.message;
      else problems.push(`${e.finding.kind} ${e.finding.digest ?? ""}`.trim());
    }
    if (problems.length > 0) return { ...out, state: "broken", detail: problems.slice(0, 5).join(", ") };
    if (unverified !== undefined) return { ...out, detail: `could not be walked: ${unverified}` };
    return { ...out, state: "ready" };
  } catch (e) {
    return { ...out, state: undefined, detail: (e as Error).message };
  }
}
