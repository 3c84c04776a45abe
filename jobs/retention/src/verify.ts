// After deleting, every kept tag is walked like a pull would (manifest,
// children, config and layer blobs). The go-live review of the shell version
// checked running pods, which cannot see index -> child references (field
// notes, retention #1); this checks what the registry actually serves.
import { walkImage, type Finding, type RegistryClient } from "@regguard/oci-client";
import { mapLimit } from "./limit.js";
import type { PackagePlan } from "./model.js";
import { isTagName } from "./names.js";

/** A finding, and whether the plan already knew the image was broken. */
export interface VerifyFinding extends Finding {
  preExisting: boolean;
}

/** What the walk found. */
export interface VerifyResult {
  tagsWalked: number;
  findings: VerifyFinding[];
}

/** Walk every kept tag of every package. */
export async function verifyKept(registry: RegistryClient, packages: readonly PackagePlan[], concurrency: number, signal?: AbortSignal): Promise<VerifyResult> {
  const targets = packages.flatMap((p) =>
    p.decisions.filter((d) => d.action === "keep" && isTagName(d.version)).map((d) => ({ p, tag: d.version })),
  );
  const perTag = await mapLimit(targets, concurrency, async ({ p, tag }) => {
    const out: VerifyFinding[] = [];
    const known = new Set(p.broken.map((b) => b.target));
    for await (const event of walkImage(registry, p.repository, tag, { checkBlobs: true, concurrency })) {
      if (event.type !== "finding") continue;
      const target = event.finding.digest ?? event.finding.tag ?? "";
      out.push({ ...event.finding, preExisting: known.has(target) });
    }
    return out;
  }, signal);
  return { tagsWalked: targets.length, findings: perTag.flat() };
}
