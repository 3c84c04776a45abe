// Which manifests of an index a save carries (pure). Attestations follow
// their subject and only live inside an index:
// - every child kept (PLATFORM=all, or buildx's usual image + its
//   attestation): the registry's index is carried byte for byte, so its
//   digest survives and digest-pinned pods resolve;
// - exactly one platform image kept: the archive's root is that image's own
//   manifest (the registry's digest for that platform), attestations dropped;
// - several kept: a trimmed index of those images and their attestations
//   (a new digest; the registry's is recorded in an annotation).
import { INDEX_TYPES, platformString, type Descriptor, type Digest, type Manifest } from "@regguard/oci-client";
import { PlatformNotFoundError } from "./errors.js";
import { platformMatches, selectionText, type PlatformSelection } from "./platform.js";

/** buildx marks attestation manifests with these descriptor annotations. */
export const REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";
export const REFERENCE_DIGEST_ANNOTATION = "vnd.docker.reference.digest";

/** What to carry of the registry's root manifest. */
export type Selection =
  { kind: "whole" } | { kind: "single"; child: Descriptor; dropped: Descriptor[] } | { kind: "trimmed"; kept: Descriptor[]; dropped: Descriptor[] };

/** An attestation (or other unknown/unknown) entry of an index. */
export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.[REFERENCE_TYPE_ANNOTATION] === "attestation-manifest" || (d.platform?.os === "unknown" && d.platform.architecture === "unknown");
}

/** The image an attestation describes, if it says. */
export function attestationSubject(d: Descriptor): string | undefined {
  return d.annotations?.[REFERENCE_DIGEST_ANNOTATION];
}

function isPlatformImage(d: Descriptor): boolean {
  return !INDEX_TYPES.includes(d.mediaType) && !isAttestation(d);
}

/** Decide what of `root` to carry; throws PlatformNotFoundError when nothing matches. */
export function selectManifests(root: Manifest, platforms: PlatformSelection): Selection {
  if (root.kind === "image" || platforms.all) return { kind: "whole" };
  const images = root.manifests.filter(isPlatformImage);
  const keptImages = images.filter((d) => platformMatches(platforms, d.platform));
  if (keptImages.length === 0) {
    const available = images.map((d) => platformString(d.platform)).join(", ") || "none";
    throw new PlatformNotFoundError(`no manifest for PLATFORM=${selectionText(platforms)} in ${root.digest}; the index has: ${available}`);
  }
  const keptDigests = new Set<Digest>(keptImages.map((d) => d.digest));
  const kept = root.manifests.filter((d) => keptDigests.has(d.digest) || (isAttestation(d) && keptDigests.has(attestationSubject(d) as Digest)));
  const dropped = root.manifests.filter((d) => !kept.includes(d));
  if (dropped.length === 0) return { kind: "whole" };
  if (keptImages.length === 1) return { kind: "single", child: keptImages[0] as Descriptor, dropped: root.manifests.filter((d) => d !== keptImages[0]) };
  return { kind: "trimmed", kept, dropped };
}

/** The child manifests a selection needs fetched (the source reads these). */
export function childrenToFetch(root: Manifest, selection: Selection): Descriptor[] {
  if (root.kind === "image") return [];
  if (selection.kind === "single") return [selection.child];
  if (selection.kind === "trimmed") return selection.kept;
  return root.manifests;
}
