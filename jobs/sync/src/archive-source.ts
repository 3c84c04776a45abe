// A breakglass archive as the source of a sync run (SOURCE_ARCHIVE): the registry calls a run
// makes of its source (catalog, tags, HEAD and GET of manifests, blob streams) answered from the
// file, so repair (and check and copy) work unchanged. Repair from an archive is what puts an
// image back when the target lost a piece and no registry holds it any more (docs/runbooks/sync.md).
// Repository names come from the references the images were saved as, without the registry host:
// `forgejo.example/viktor/app:v1` is repository `viktor/app`, tag `v1`.
import type { Readable } from "node:stream";
import { NotFoundError, parseReference, SizeMismatchError, type Descriptor, type Digest, type Manifest, type ManifestHead } from "@regguard/oci-client";
import type { ArchivedImage, OpenedArchive } from "@regguard/image-archive";
import type { SourceRegistry } from "./source.js";

/** The archive's tagged images by repository, then tag. */
function byRepository(images: readonly ArchivedImage[]): Map<string, Map<string, ArchivedImage>> {
  const out = new Map<string, Map<string, ArchivedImage>>();
  for (const image of images) {
    const ref = parseReference(image.name);
    const tag = image.tag ?? ref.tag;
    // An image saved by digest has no tag to compare or repair by.
    if (tag === undefined) continue;
    const tags = out.get(ref.repository) ?? new Map<string, ArchivedImage>();
    tags.set(tag, image);
    out.set(ref.repository, tags);
  }
  return out;
}

export function archiveSource(archive: OpenedArchive): SourceRegistry {
  const repos = byRepository(archive.images);
  const what = (repo: string, target: string) => `${target.includes(":") ? `${repo}@${target}` : `${repo}:${target}`} in ${archive.path}`;
  const image = (repo: string, tag: string): ArchivedImage => {
    const found = repos.get(repo)?.get(tag);
    if (!found) throw new NotFoundError(`${what(repo, tag)}: the archive has no such image`);
    return found;
  };
  const digestFor = (repo: string, target: string): { digest: Digest; mediaType?: string } => {
    if (target.includes(":")) return { digest: target as Digest };
    const d = image(repo, target).descriptor;
    return { digest: d.digest, ...(d.mediaType ? { mediaType: d.mediaType } : {}) };
  };
  return {
    stats: { requests: 0 },
    async *repositories(opts: { prefix?: string } = {}): AsyncGenerator<string> {
      for (const repo of [...repos.keys()].sort()) if (!opts.prefix || repo.startsWith(opts.prefix)) yield repo;
    },
    async tags(repo: string): Promise<string[]> {
      const tags = repos.get(repo);
      if (!tags) throw new NotFoundError(`${repo} in ${archive.path}: the archive holds no image of this repository`);
      return [...tags.keys()];
    },
    async headManifest(repo: string, target: string): Promise<ManifestHead> {
      const { digest, mediaType } = digestFor(repo, target);
      const size = archive.size(digest);
      if (size === undefined) throw new NotFoundError(`${what(repo, target)}: the archive does not hold ${digest}`);
      return { digest, size, mediaType };
    },
    async manifest(repo: string, target: string): Promise<Manifest> {
      const { digest, mediaType } = digestFor(repo, target);
      const m = await archive.manifest(digest, mediaType);
      if (!m) throw new NotFoundError(`${what(repo, target)}: the archive does not hold ${digest}`);
      return m;
    },
    async openBlob(repo: string, d: Pick<Descriptor, "digest" | "size">): Promise<Readable> {
      const size = archive.size(d.digest);
      if (size === undefined) throw new NotFoundError(`blob ${d.digest} of ${repo}: the archive does not hold it`);
      if (size !== d.size) throw new SizeMismatchError(`blob ${d.digest} of ${repo} is ${size} bytes in the archive; the manifest says ${d.size}`);
      return archive.openBlob(d) as Readable;
    },
    close: () => archive.close(),
  };
}
