// buildx-style attestation manifests: an unknown/unknown OCI image whose layer is an in-toto statement.
import { putManifest, sha256Digest, uploadBlob } from "./blobs.js";
import type { BuiltImage } from "./image.js";
import * as mt from "./media-types.js";
import type { PushSession } from "./push-session.js";

/** Annotation key buildx uses to mark attestation manifests in an index. */
export const REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";
/** Annotation key pointing from an attestation to the image it describes. */
export const REFERENCE_DIGEST_ANNOTATION = "vnd.docker.reference.digest";

/** Pushes (by digest, untagged) an attestation manifest for `subject`, as buildx does for provenance. */
export async function pushAttestationWith(session: PushSession, subject: BuiltImage, omitMediaType = false): Promise<BuiltImage> {
  const statement = Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v0.1",
      predicateType: "https://slsa.dev/provenance/v0.2",
      subject: [{ name: `pkg:docker/${subject.repo}`, digest: { sha256: subject.digest.slice("sha256:".length) } }],
      predicate: { builder: { id: "regguard-testkit" } },
    }),
  );
  const layer = { digest: sha256Digest(statement), size: statement.length };
  await uploadBlob(session, subject.repo, layer, () => statement);
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: "unknown",
      os: "unknown",
      config: {},
      rootfs: { type: "layers", diff_ids: [layer.digest] },
    }),
  );
  const config = { digest: sha256Digest(configBytes), size: configBytes.length };
  await uploadBlob(session, subject.repo, config, () => configBytes);
  const body: Record<string, unknown> = { schemaVersion: 2 };
  if (!omitMediaType) body.mediaType = mt.OCI_MANIFEST;
  body.config = { mediaType: mt.OCI_CONFIG, digest: config.digest, size: config.size };
  body.layers = [
    {
      mediaType: mt.IN_TOTO,
      digest: layer.digest,
      size: layer.size,
      annotations: { "in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2" },
    },
  ];
  const manifest = Buffer.from(JSON.stringify(body));
  const digest = await putManifest(session, subject.repo, sha256Digest(manifest), mt.OCI_MANIFEST, manifest);
  return {
    repo: subject.repo,
    digest,
    mediaType: mt.OCI_MANIFEST,
    manifest,
    config,
    layers: [layer],
    platform: { os: "unknown", architecture: "unknown" },
  };
}
