// Resolves one manifest through /v2 for the keep set: what it is and which
// manifests it points at. A clean 404 is "missing" (an already-broken image,
// reported); anything else, a digest mismatch included, is "error" and
// freezes the package.
import { NotFoundError, type Manifest, type RegistryClient } from "@regguard/oci-client";
import { messageOf } from "./inventory.js";
import type { DigestText, ResolvedNode } from "./model.js";
import { isDigestText } from "./names.js";
import type { Resolver } from "./resolve.js";

/** Manifest-level references: index children and the OCI 1.1 subject (blobs are not versions). */
export function manifestRefs(m: Manifest): string[] {
  const children = m.kind === "index" ? m.manifests.map((d) => d.digest as string) : [];
  return m.subject ? [...children, m.subject.digest] : children;
}

/** A Resolver over a registry client. */
export function registryResolver(registry: RegistryClient): Resolver {
  return async (repository, key) => {
    let m: Manifest;
    try {
      m = await registry.manifest(repository, key);
    } catch (e) {
      if (e instanceof NotFoundError) return { state: "missing", message: messageOf(e) };
      return { state: "error", message: messageOf(e) };
    }
    const refs = manifestRefs(m);
    const odd = [m.digest, ...refs].find((d) => !isDigestText(d));
    // Forgejo only stores sha256; anything else cannot be matched to a version.
    if (odd !== undefined) return { state: "error", message: `${repository}@${key} uses unsupported digest ${odd}` };
    return { state: "ok", digest: m.digest as DigestText, refs: refs as DigestText[] } satisfies ResolvedNode;
  };
}
