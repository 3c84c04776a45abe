// PUT .../manifests/<reference> (routers/api/packages/container/container.go: UploadManifest;
// manifest.go: processManifest, processImageManifest, processImageManifestIndex, createPackageAndVersion).
import { OCI_HEADERS, ociError, readBody, sendEmpty } from "./http.js";
import { isDigest, isTag, type OciCtx } from "./oci-context.js";
import { sha256Hex, type PkgFile } from "./store.js";

/** container_service.MaxManifestSize. */
export const MAX_MANIFEST_SIZE = 10 * 1024 * 1024;

const IMAGE_TYPES = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];
const INDEX_TYPES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
const isValidMediaType = (mt: string) => mt.startsWith("application/vnd.docker.") || mt.startsWith("application/vnd.oci.");
const oneOf = (mt: string, list: string[]) => list.includes(mt.toLowerCase());

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
}
interface ManifestBody {
  schemaVersion?: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

/** A failure answered as the OCI error document. */
class Named extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
const BLOB_UNKNOWN = () => new Named(404, "BLOB_UNKNOWN", "blob unknown to registry");

export async function putManifest(ctx: OciCtx, reference: string): Promise<void> {
  const isTagged = !isDigest(reference);
  if (isTagged && !isTag(reference)) return ociError(ctx, 400, "MANIFEST_INVALID", "Tag is invalid");
  const { body, tooLarge } = await readBody(ctx.req, MAX_MANIFEST_SIZE);
  if (tooLarge) return ociError(ctx, 413, "MANIFEST_INVALID", "Manifest exceeds maximum size");
  let parsed: ManifestBody;
  try {
    parsed = JSON.parse(body.toString("utf8")) as ManifestBody;
  } catch {
    return sendEmpty(ctx.res, 500, OCI_HEADERS); // a decode error is not a NamedError: bare 500
  }
  try {
    const digest = store(ctx, reference, isTagged, parsed, body);
    sendEmpty(ctx.res, 201, {
      ...OCI_HEADERS,
      Location: `/v2/${ctx.owner.lowerName}/${ctx.image}/manifests/${reference}`,
      "Docker-Content-Digest": digest,
      ETag: `"${digest}"`,
      "Content-Length": 0,
    });
  } catch (e) {
    if (e instanceof Named) return ociError(ctx, e.status, e.code, e.message);
    sendEmpty(ctx.res, 500, OCI_HEADERS);
  }
}

/** Validates, then writes the version and its files; throws Named/Error before touching the store. */
function store(ctx: OciCtx, reference: string, isTagged: boolean, m: ManifestBody, body: Buffer): string {
  if (m.schemaVersion !== 2) throw new Named(405, "UNSUPPORTED", "Schema version is not supported");
  const header = ctx.req.headers["content-type"] ?? "";
  const mediaType = isValidMediaType(header) ? header : (m.mediaType ?? "");
  if (!isValidMediaType(mediaType)) throw new Named(400, "MANIFEST_INVALID", "MediaType not recognized");
  const { store: db } = ctx;
  const pkg = db.packageByName(ctx.owner.id, ctx.image);
  const inImage = (digest: string | undefined, manifestOnly: boolean) =>
    pkg && digest ? db.imageFiles(pkg, (f) => f.digest === digest && (!manifestOnly || f.name === "manifest.json"))[0] : undefined;

  const refs: Array<{ d: Descriptor; f: PkgFile; fromUpload: boolean }> = [];
  if (oneOf(mediaType, IMAGE_TYPES)) {
    for (const d of [m.config ?? {}, ...(m.layers ?? [])]) {
      const hit = inImage(d.digest, false);
      if (!hit) throw BLOB_UNKNOWN();
      refs.push({ d, f: hit.f, fromUpload: hit.v.isInternal });
    }
    // ParseImageConfig: a config that is not JSON fails the push with a 500.
    JSON.parse(db.blobs.get(refs[0]!.f.digest.slice(7))?.toString("utf8") ?? "");
    for (const r of refs) {
      const size = db.blobs.get(r.f.digest.slice(7))?.byteLength;
      if (size !== r.d.size) throw new Named(400, "SIZE_INVALID", "provided length did not match content length");
    }
  } else if (oneOf(mediaType, INDEX_TYPES)) {
    for (const child of m.manifests ?? []) {
      // Only image manifests may be children: nested indexes (and entries without mediaType) are refused.
      if (!oneOf(child.mediaType ?? "", IMAGE_TYPES)) throw new Named(400, "MANIFEST_INVALID", "manifest invalid");
      if (!inImage(child.digest, true)) throw new Named(404, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry");
    }
  } else {
    throw new Named(400, "MANIFEST_INVALID", "manifest invalid");
  }

  const owned = db.ensurePackage(ctx.owner, ctx.image);
  const creatorId = ctx.caller.kind === "user" ? ctx.caller.user.id : -1;
  const v = db.replaceVersion(owned, reference, creatorId, isTagged);
  const upload = db.uploadVersion(owned);
  for (const r of refs) {
    db.addFile(v, { name: r.f.name, digest: r.d.digest ?? r.f.digest, mediaType: r.d.mediaType ?? "", isLead: false });
    // createFileFromBlobReference: a blob claimed from the upload area leaves it.
    if (r.fromUpload) upload.files = upload.files.filter((f) => f.digest !== r.f.digest);
  }
  // The stored digest is the hash of the body, whatever digest the URL named (no check).
  const hex = sha256Hex(body);
  db.blobs.set(hex, body);
  db.addFile(v, { name: "manifest.json", digest: `sha256:${hex}`, mediaType, isLead: true });
  return `sha256:${hex}`;
}
