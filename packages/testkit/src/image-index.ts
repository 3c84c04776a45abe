// pushIndex: multi-platform OCI index or Docker manifest list, optionally with buildx attestations.
import { randomUUID } from "node:crypto";
import { putManifest } from "./blobs.js";
import { InvalidOptionError } from "./errors.js";
import { pushAttestationWith, REFERENCE_DIGEST_ANNOTATION, REFERENCE_TYPE_ANNOTATION } from "./attestation.js";
import { pushImageWith, type BuiltImage, type Platform } from "./image.js";
import * as mt from "./media-types.js";
import { PushSession, type PushTarget } from "./push-session.js";

/** What was pushed: the index bytes and every child (platform images, then attestations). */
export interface BuiltIndex {
  repo: string;
  tag?: string;
  digest: string;
  mediaType: string;
  manifest: Uint8Array;
  children: BuiltImage[];
  attestations: BuiltImage[];
}

/** pushIndex options; `childTags` also tags each child `<tag>-<arch>[-<variant>]`. */
export interface PushIndexOptions {
  platforms?: string[];
  attestations?: boolean;
  format?: "oci" | "docker";
  layerSize?: number;
  seed?: string;
  omitMediaType?: boolean;
  childTags?: boolean;
}

/** Platforms pushed when none are given: the usual buildx pair. */
export const DEFAULT_INDEX_PLATFORMS: readonly string[] = ["linux/amd64", "linux/arm64"];

/** Parses "os/arch[/variant]" (e.g. linux/arm/v7). */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, extra] = text.split("/");
  if (!os || !architecture || extra !== undefined) throw new InvalidOptionError(`platforms: "${text}" is not os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

function descriptor(img: BuiltImage, annotations?: Record<string, string>): Record<string, unknown> {
  return {
    mediaType: img.mediaType,
    digest: img.digest,
    size: img.manifest.length,
    ...(img.platform ? { platform: img.platform } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** Pushes one image per platform (by digest, or tagged with childTags), then the index under `tag`. */
export async function pushIndex(target: PushTarget, repo: string, tag: string, opts: PushIndexOptions = {}): Promise<BuiltIndex> {
  const format = opts.format ?? "oci";
  if (format !== "oci" && format !== "docker") throw new InvalidOptionError(`format must be "oci" or "docker"`);
  const platforms = (opts.platforms ?? DEFAULT_INDEX_PLATFORMS).map(parsePlatform);
  const seed = opts.seed ?? randomUUID();
  const session = new PushSession(target, `repository:${repo}:pull,push`);
  const children: BuiltImage[] = [];
  const attestations: BuiltImage[] = [];
  const entries: Record<string, unknown>[] = [];
  for (const platform of platforms) {
    const name = [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
    const childTag = opts.childTags ? [tag, platform.architecture, platform.variant].filter(Boolean).join("-") : undefined;
    const child = await pushImageWith(session, repo, childTag, {
      platform,
      format,
      seed: `${seed}/${name}`,
      omitMediaType: opts.omitMediaType,
      ...(opts.layerSize !== undefined ? { layerSize: opts.layerSize } : {}),
    });
    children.push(child);
    entries.push(descriptor(child));
  }
  if (opts.attestations) {
    // buildx appends attestations after all platform images, one per platform.
    for (const child of children) {
      const att = await pushAttestationWith(session, child, opts.omitMediaType);
      attestations.push(att);
      entries.push(descriptor(att, { [REFERENCE_DIGEST_ANNOTATION]: child.digest, [REFERENCE_TYPE_ANNOTATION]: "attestation-manifest" }));
    }
  }
  const mediaType = format === "oci" ? mt.OCI_INDEX : mt.DOCKER_MANIFEST_LIST;
  const body: Record<string, unknown> = { schemaVersion: 2 };
  if (!opts.omitMediaType) body.mediaType = mediaType;
  body.manifests = entries;
  const manifest = Buffer.from(JSON.stringify(body));
  const digest = await putManifest(session, repo, tag, mediaType, manifest);
  return { repo, tag, digest, mediaType, manifest, children, attestations };
}
