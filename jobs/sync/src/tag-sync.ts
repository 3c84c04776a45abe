// One tag, for each command: find its digest on both sides, decide its state, and act on it.
//   copy:   missing -> copied (children first, tag last); drifted -> reported, or replaced with
//           OVERWRITE=true; in parity -> nothing more than the two HEADs.
//   check:  no writes; an in-parity tag is walked at the target like the probe walks (children
//           and blobs), so a tag whose child or blob went missing is `broken`.
//   repair: a broken tag gets its missing pieces back by digest from the source, then is walked
//           again; missing and drifted tags are left to copy.
import { NotFoundError, walkImage, type Digest, type Finding, type Manifest, type RegistryClient } from "@regguard/oci-client";
import { emptyTreeReport, ensureContents, ensureTree, stopIfAborted, type CopySession, type TreeReport } from "./image-copy.js";
import { companionTags, type TagItem } from "./inventory.js";
import type { SourceRegistry } from "./source.js";
import type { SyncCommand } from "./config.js";

/** Where a tag stands between the two registries. */
export type TagState = "in_parity" | "missing" | "drifted" | "broken";
export const TAG_STATES: readonly TagState[] = ["in_parity", "missing", "drifted", "broken"];

/** What was done about it. */
export type TagAction =
  "none" | "copied" | "would_copy" | "overwritten" | "would_overwrite" | "drift_kept" | "repaired" | "would_repair" | "still_broken" | "failed";

/** One tag's result, logged as one line and counted in the tally. */
export interface TagOutcome {
  repository: string;
  target: string;
  tag: string;
  /** Undefined when the tag could not be looked at (action "failed"). */
  state: TagState | undefined;
  action: TagAction;
  sourceDigest?: Digest;
  targetDigest?: Digest;
  tree: TreeReport;
  /** What the target walk found (check, repair). */
  findings: Finding[];
  error?: string;
}

/** Work one tag and then the cosign tags of its digest that TAGS left out. */
export async function syncTag(s: CopySession, command: SyncCommand, overwrite: boolean, item: TagItem): Promise<TagOutcome[]> {
  const first = await oneTag(s, command, overwrite, item.pair.source, item.pair.target, item.tag);
  const out = [first];
  if (first.sourceDigest) {
    for (const tag of companionTags(first.sourceDigest, item.repoTags, item.selected)) {
      out.push(await oneTag(s, command, overwrite, item.pair.source, item.pair.target, tag));
    }
  }
  return out;
}

async function oneTag(s: CopySession, command: SyncCommand, overwrite: boolean, src: string, dst: string, tag: string): Promise<TagOutcome> {
  const outcome: TagOutcome = { repository: src, target: dst, tag, state: undefined, action: "failed", tree: emptyTreeReport(), findings: [] };
  try {
    stopIfAborted(s);
    // The target first: for a tag it lacks, one GET by tag gives the source's digest and the bytes
    // to copy, verified against each other; for one it has, a HEAD on each side is all it costs.
    const targetDigest = await digestOf(s.target, dst, tag);
    if (targetDigest !== undefined) outcome.targetDigest = targetDigest;
    const fetched = targetDigest === undefined ? await sourceManifest(s.source, src, tag) : undefined;
    const sourceDigest = fetched?.digest ?? (await digestOf(s.source, src, tag));
    if (sourceDigest === undefined) throw new Error(`the source lists ${src}:${tag} but does not serve it`);
    outcome.sourceDigest = sourceDigest;
    outcome.state = targetDigest === undefined ? "missing" : targetDigest === sourceDigest ? "in_parity" : "drifted";
    outcome.action = "none";

    if (command === "copy") {
      if (outcome.state === "missing") {
        await copyImage(s, src, dst, fetched ?? (await s.source.manifest(src, sourceDigest)), tag, outcome.tree);
        outcome.action = s.write ? "copied" : "would_copy";
      } else if (outcome.state === "drifted") {
        if (!overwrite) outcome.action = "drift_kept";
        else {
          // By digest, not by tag: a tag moved on the source since the HEAD must not mix two images.
          await copyImage(s, src, dst, await s.source.manifest(src, sourceDigest), tag, outcome.tree);
          outcome.action = s.write ? "overwritten" : "would_overwrite";
        }
      }
      return outcome;
    }

    // check and repair: bytes a missing tag would move, and the target walk of an in-parity one.
    if (outcome.state === "missing" && command === "check") {
      // Bytes a copy would move; a source that cannot serve all of it is for copy to report.
      await planBytes(s, src, dst, fetched ?? sourceDigest, outcome.tree);
    }
    if (outcome.state !== "in_parity") return outcome;
    outcome.findings = await walkTarget(s.target, dst, tag);
    if (outcome.findings.length === 0) return outcome;
    outcome.state = "broken";
    if (command === "check") {
      await planBytes(s, src, dst, sourceDigest, outcome.tree);
      return outcome;
    }
    await ensureTree(s, src, dst, await s.source.manifest(src, sourceDigest), outcome.tree);
    if (!s.write) {
      outcome.action = "would_repair";
      return outcome;
    }
    const again = await walkTarget(s.target, dst, tag);
    outcome.action = again.length === 0 ? "repaired" : "still_broken";
    outcome.findings = again;
    return outcome;
  } catch (error) {
    outcome.action = "failed";
    outcome.error = error instanceof Error ? error.message : String(error);
    return outcome;
  }
}

/** check's estimate of what a copy or repair would move: reads only, and never fails the tag. */
async function planBytes(s: CopySession, src: string, dst: string, root: Manifest | Digest, report: TreeReport): Promise<void> {
  try {
    await ensureTree({ ...s, write: false }, src, dst, typeof root === "string" ? await s.source.manifest(src, root) : root, report);
  } catch {
    // The tag keeps its state; bytes_missing is then a lower bound.
  }
}

/**
 * Put everything under `m` (the source's) into `dst`, then `m` itself under the tag, last: one PUT
 * by tag stores the manifest and the tag together, so no HEAD or PUT by digest comes before it.
 */
async function copyImage(s: CopySession, src: string, dst: string, m: Manifest, tag: string, report: TreeReport): Promise<void> {
  await ensureContents(s, src, dst, m, report);
  report.manifestsMissing++;
  if (!s.write) return;
  stopIfAborted(s);
  // putManifest checks the Docker-Content-Digest the target answers with against the bytes' own.
  await s.target.putManifest(dst, tag, m.raw, m.mediaType);
}

/** The source's manifest by tag; undefined when the source answers 404 for a listed tag. */
async function sourceManifest(source: SourceRegistry, repo: string, tag: string): Promise<Manifest | undefined> {
  try {
    return await source.manifest(repo, tag);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** A tag's digest: the HEAD's Docker-Content-Digest, or the GET body's own when a registry sends none; undefined on 404. */
async function digestOf(client: Pick<SourceRegistry, "headManifest" | "manifest">, repo: string, tag: string): Promise<Digest | undefined> {
  try {
    const head = await client.headManifest(repo, tag);
    return head.digest ?? (await client.manifest(repo, tag)).digest;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** The probe's walk of one image at the target: every child and blob, digests and sizes checked. */
async function walkTarget(target: RegistryClient, repo: string, tag: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for await (const e of walkImage(target, repo, tag, { checkBlobs: true, concurrency: 4 })) {
    if (e.type === "finding") findings.push(e.finding);
  }
  // A request that failed after retries checked nothing: the tag is unknown, not broken.
  const unasked = findings.find((f) => f.kind === "request_error");
  if (unasked) throw new Error(`could not walk ${repo}:${tag} on the target: ${unasked.message}`);
  return findings;
}
