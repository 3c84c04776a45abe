// HEAD and GET of manifests by tag or digest, with every manifest type in
// Accept and the body verified against the digest it was asked and served by.
import { parseDigest, type Digest } from "./digest.js";
import { DigestMismatchError, ProtocolError, SizeMismatchError } from "./errors.js";
import { parseManifest, MAX_MANIFEST_BYTES, type Manifest } from "./manifest.js";
import { bareMediaType, MANIFEST_ACCEPT } from "./media-types.js";
import { assertRepository, assertTarget } from "./ref.js";
import { expectStatus } from "./status.js";
import type { Transport } from "./transport.js";

/** What a HEAD tells about a manifest. */
export interface ManifestHead {
  digest: Digest | undefined;
  size: number | undefined;
  mediaType: string | undefined;
}

/** HEAD a manifest; NotFoundError when absent. */
export async function headManifest(t: Transport, repository: string, target: string): Promise<ManifestHead> {
  assertRepository(repository, t.readNames);
  assertTarget(target);
  const what = `manifest ${repository}@${target}`;
  const res = expectStatus(
    await t.send({
      method: "HEAD",
      path: `/v2/${repository}/manifests/${target}`,
      scope: `repository:${repository}:pull`,
      headers: { accept: MANIFEST_ACCEPT },
    }),
    [200],
    what,
  );
  const header = res.headers["docker-content-digest"];
  let digest: Digest | undefined;
  if (header) {
    try {
      digest = parseDigest(header);
    } catch {
      throw new ProtocolError(`${what}: Docker-Content-Digest ${JSON.stringify(header.slice(0, 80))} is not a digest`, { url: res.url });
    }
  }
  const length = Number(res.headers["content-length"]);
  return { digest, size: Number.isFinite(length) ? length : undefined, mediaType: bareMediaType(res.headers["content-type"]) };
}

/** HEAD a manifest and check it against a descriptor's digest and size. */
export async function checkManifest(t: Transport, repository: string, digest: Digest, size?: number): Promise<ManifestHead> {
  const head = await headManifest(t, repository, digest);
  if (head.digest !== undefined && head.digest !== digest) {
    throw new DigestMismatchError(`manifest ${repository}@${digest}: the registry answers with digest ${head.digest}`);
  }
  if (size !== undefined && head.size !== undefined && head.size !== size) {
    throw new SizeMismatchError(`manifest ${repository}@${digest}: descriptor says ${size} bytes, the registry says ${head.size}`);
  }
  return head;
}

/** GET, classify and verify a manifest. */
export async function getManifest(t: Transport, repository: string, target: string): Promise<Manifest> {
  assertRepository(repository, t.readNames);
  assertTarget(target);
  const what = `${repository}@${target}`;
  const res = expectStatus(
    await t.send({
      method: "GET",
      path: `/v2/${repository}/manifests/${target}`,
      scope: `repository:${repository}:pull`,
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes: MAX_MANIFEST_BYTES,
    }),
    [200],
    `manifest ${what}`,
  );
  const requested = target.includes(":") ? target : undefined;
  const header = res.headers["docker-content-digest"];
  return parseManifest(res.body, {
    what,
    ...(res.headers["content-type"] ? { contentType: res.headers["content-type"] } : {}),
    ...(header ? { headerDigest: header } : {}),
    ...(requested ? { requestedDigest: requested } : {}),
  });
}
