// pushImage: a real, loadable single-platform image (tar+gzip layers, correct diff_ids) pushed over HTTP.
import { randomUUID } from "node:crypto";
import { putManifest, sha256Digest, uploadBlob, type BlobRef } from "./blobs.js";
import { InvalidOptionError } from "./errors.js";
import { layerBytes, measureLayer, yielding } from "./layer.js";
import * as mt from "./media-types.js";
import { PushSession, type PushTarget } from "./push-session.js";

/** An image platform as OCI descriptors carry it. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** What was pushed: enough for tests to GET it back, corrupt it, or reference it from an index. */
export interface BuiltImage {
  repo: string;
  tag?: string;
  digest: string;
  mediaType: string;
  manifest: Uint8Array;
  config: BlobRef;
  layers: BlobRef[];
  platform?: Platform;
}

/** pushImage options: layer count/size (bytes of random file data), seed (default random), format. */
export interface PushImageOptions {
  layers?: number;
  layerSize?: number;
  seed?: string;
  platform?: Platform;
  format?: "oci" | "docker";
  omitMediaType?: boolean;
}

/** Default random bytes per layer: small, so most tests push in milliseconds. */
export const DEFAULT_LAYER_SIZE = 1024;

function validate(opts: PushImageOptions): void {
  if (opts.layers !== undefined && (!Number.isInteger(opts.layers) || opts.layers < 0)) throw new InvalidOptionError("layers must be a non-negative integer");
  if (opts.layerSize !== undefined && (!Number.isInteger(opts.layerSize) || opts.layerSize < 0))
    throw new InvalidOptionError("layerSize must be a non-negative integer");
  if (opts.format !== undefined && opts.format !== "oci" && opts.format !== "docker") throw new InvalidOptionError(`format must be "oci" or "docker"`);
}

/** The manifest JSON for a config and layers; `omitMediaType` leaves out the (optional in OCI) top-level field. */
export function imageManifestJson(
  format: "oci" | "docker",
  config: BlobRef,
  layers: BlobRef[],
  omitMediaType = false,
): { mediaType: string; bytes: Uint8Array } {
  const mediaType = format === "oci" ? mt.OCI_MANIFEST : mt.DOCKER_MANIFEST;
  const body: Record<string, unknown> = { schemaVersion: 2 };
  if (!omitMediaType) body.mediaType = mediaType;
  body.config = { mediaType: format === "oci" ? mt.OCI_CONFIG : mt.DOCKER_CONFIG, digest: config.digest, size: config.size };
  const layerType = format === "oci" ? mt.OCI_LAYER_GZIP : mt.DOCKER_LAYER_GZIP;
  body.layers = layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.size }));
  return { mediaType, bytes: Buffer.from(JSON.stringify(body)) };
}

/** Builds and pushes one image within an existing session (pushIndex reuses the same auth). */
export async function pushImageWith(session: PushSession, repo: string, tag: string | undefined, opts: PushImageOptions = {}): Promise<BuiltImage> {
  validate(opts);
  const seed = opts.seed ?? randomUUID();
  const platform = opts.platform ?? { os: "linux", architecture: "amd64" };
  const format = opts.format ?? "oci";
  const layers: BlobRef[] = [];
  const diffIds: string[] = [];
  for (let index = 0; index < (opts.layers ?? 1); index++) {
    const spec = { seed, size: opts.layerSize ?? DEFAULT_LAYER_SIZE, index };
    const info = await measureLayer(spec);
    await uploadBlob(session, repo, info, () => info.bytes ?? yielding(layerBytes(spec)));
    layers.push({ digest: info.digest, size: info.size });
    diffIds.push(info.diffId);
  }
  const configJson = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created: "1970-01-01T00:00:00Z", // fixed: same seed, same digest
    config: { Labels: { "org.regguard.testkit.seed": seed } },
    rootfs: { type: "layers", diff_ids: diffIds },
    history: diffIds.map((_, i) => ({ created: "1970-01-01T00:00:00Z", created_by: `regguard testkit layer ${i}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(configJson));
  const config = { digest: sha256Digest(configBytes), size: configBytes.length };
  await uploadBlob(session, repo, config, () => configBytes);
  const manifest = imageManifestJson(format, config, layers, opts.omitMediaType);
  const digest = await putManifest(session, repo, tag ?? sha256Digest(manifest.bytes), manifest.mediaType, manifest.bytes);
  return { repo, ...(tag !== undefined ? { tag } : {}), digest, mediaType: manifest.mediaType, manifest: manifest.bytes, config, layers, platform };
}

/** Pushes a real image to `repo` (tagged, or by digest only when `tag` is undefined). */
export async function pushImage(target: PushTarget, repo: string, tag: string | undefined, opts: PushImageOptions = {}): Promise<BuiltImage> {
  return pushImageWith(new PushSession(target, `repository:${repo}:pull,push`), repo, tag, opts);
}
