// Reads what the plan needs from the registry: the root manifest, the child
// manifests the platform selection keeps (recursively), and their config
// blobs. All small and verified by digest; layers are streamed later.
import type { Manifest, RegistryClient } from "@regguard/oci-client";
import { UnsupportedImageError } from "./errors.js";
import type { PlanInput } from "./plan.js";
import type { PlatformSelection } from "./platform.js";
import { childrenToFetch, selectManifests } from "./select.js";

/** Configs are JSON documents; anything bigger is not one. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** What to read and how to name it. */
export interface SourceRequest {
  repository: string;
  /** Tag or digest to fetch. */
  target: string;
  imageName: string;
  tag: string | undefined;
  archiveName: string;
  platforms: PlatformSelection;
}

/** Fetch everything small the plan needs. */
export async function readSource(client: RegistryClient, req: SourceRequest): Promise<PlanInput> {
  const root = await client.manifest(req.repository, req.target);
  const selection = selectManifests(root, req.platforms);
  const manifests = new Map<string, Manifest>();
  const images: Manifest[] = root.kind === "image" ? [root] : [];
  const fetchAll = async (digests: string[]): Promise<void> => {
    const fetched = await Promise.all(digests.filter((d) => !manifests.has(d)).map((d) => client.manifest(req.repository, d)));
    for (const m of fetched) {
      manifests.set(m.digest, m);
      if (m.kind === "image") images.push(m);
    }
    // Nested indexes (PLATFORM=all) are carried whole, children and all.
    const nested = fetched.flatMap((m) => (m.kind === "index" ? m.manifests.map((d) => d.digest) : []));
    if (nested.length > 0) await fetchAll(nested);
  };
  await fetchAll(childrenToFetch(root, selection).map((d) => d.digest));
  if (selection.kind === "single") images.splice(0, images.length, ...images.filter((m) => m.digest === selection.child.digest));

  const configs = new Map<string, Uint8Array>();
  await Promise.all(
    images.map(async (m) => {
      if (m.kind !== "image" || configs.has(m.config.digest)) return;
      if (m.config.size > MAX_CONFIG_BYTES)
        throw new UnsupportedImageError(`config ${m.config.digest} is ${m.config.size} bytes; a config is at most ${MAX_CONFIG_BYTES}`);
      const chunks: Buffer[] = [];
      for await (const chunk of await client.openBlob(req.repository, m.config)) chunks.push(chunk as Buffer);
      configs.set(m.config.digest, Buffer.concat(chunks));
    }),
  );
  return {
    imageName: req.imageName,
    tag: req.tag,
    archiveName: req.archiveName,
    root,
    selection,
    platforms: req.platforms,
    manifests,
    configs,
  };
}
