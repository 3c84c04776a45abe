// Blob uploads (monolithic, chunked, mount) and blob HEAD/GET/DELETE
// (routers/api/packages/container/container.go: InitiateUploadBlob, UploadBlob, EndUploadBlob,
// GetUploadBlob, CancelUploadBlob, HeadBlob, GetBlob, DeleteBlob; services/packages/container/blob_uploader.go).
import { randomBytes } from "node:crypto";
import { canSee } from "./auth.js";
import { OCI_HEADERS, ociError, readBody, sendBytes, sendEmpty } from "./http.js";
import { isDigest, type OciCtx } from "./oci-context.js";
import { sha256Hex, type FakeStore, type Package } from "./store.js";

/** packages_model.BlobUpload: global, not tied to an image. */
const uploads = new WeakMap<FakeStore, Map<string, Buffer>>();
const uploadsOf = (s: FakeStore) => uploads.get(s) ?? uploads.set(s, new Map()).get(s)!;

const base = (ctx: OciCtx) => `/v2/${ctx.owner.lowerName}/${ctx.image}`;

/** SaveAsPackageBlob: store the bytes and park a file in the image's internal upload version. */
function saveBlob(ctx: OciCtx, bytes: Buffer): string {
  const hex = sha256Hex(bytes);
  ctx.store.blobs.set(hex, bytes);
  const pkg = ctx.store.ensurePackage(ctx.owner, ctx.image);
  ctx.store.addFile(ctx.store.uploadVersion(pkg), { name: `sha256_${hex}`, digest: `sha256:${hex}`, mediaType: "", isLead: false });
  return `sha256:${hex}`;
}

function created(ctx: OciCtx, digest: string): void {
  sendEmpty(ctx.res, 201, {
    ...OCI_HEADERS,
    Location: `${base(ctx)}/blobs/${digest}`,
    "Docker-Content-Digest": digest,
    ETag: `"${digest}"`,
    "Content-Length": 0,
  });
}

/** POST .../blobs/uploads[?digest=|?mount=&from=] */
export async function initiateUpload(ctx: OciCtx): Promise<void> {
  const q = ctx.url.searchParams;
  const mount = q.get("mount")?.trim() ?? "";
  if (mount) {
    const from = q.get("from")?.trim() ?? "";
    const src = ctx.store.packages.find((p) => p.repository === from);
    const srcOwner = src && ctx.store.ownerById(src.ownerId);
    const hit = src && ctx.store.imageFiles(src, (f) => f.digest === mount)[0];
    if (hit && srcOwner && canSee(srcOwner, ctx.caller)) {
      const pkg = ctx.store.ensurePackage(ctx.owner, ctx.image);
      ctx.store.addFile(ctx.store.uploadVersion(pkg), { name: `sha256_${mount.slice(7)}`, digest: mount, mediaType: hit.f.mediaType, isLead: false });
      return created(ctx, mount);
    }
  }
  const digest = q.get("digest")?.trim() ?? "";
  if (digest) {
    const { body } = await readBody(ctx.req);
    if (`sha256:${sha256Hex(body)}` !== digest) return ociError(ctx, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
    return created(ctx, saveBlob(ctx, body));
  }
  await readBody(ctx.req);
  const id = randomBytes(16).toString("hex");
  uploadsOf(ctx.store).set(id, Buffer.alloc(0));
  sendEmpty(ctx.res, 202, { ...OCI_HEADERS, Location: `${base(ctx)}/blobs/uploads/${id}`, Range: "0-0", "Docker-Upload-Uuid": id, "Content-Length": 0 });
}

/** GET/PATCH/PUT/DELETE .../blobs/uploads/<uuid> */
export async function continueUpload(ctx: OciCtx, uuid: string): Promise<void> {
  const all = uploadsOf(ctx.store);
  const current = all.get(uuid);
  if (ctx.method === "PUT" && !(ctx.url.searchParams.get("digest") ?? "").trim()) {
    return ociError(ctx, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
  }
  if (!current) return ociError(ctx, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
  const headers = { ...OCI_HEADERS, "Docker-Upload-Uuid": uuid, "Content-Length": 0 };
  if (ctx.method === "GET") return sendEmpty(ctx.res, 204, { ...headers, Range: `0-${current.byteLength}` });
  if (ctx.method === "DELETE") {
    all.delete(uuid);
    return sendEmpty(ctx.res, 204, OCI_HEADERS);
  }
  if (ctx.method === "PATCH") {
    const range = ctx.req.headers["content-range"];
    if (range) {
      const m = /^(\d+)-(\d+)/.exec(range);
      if (!m) return ociError(ctx, 400, "BLOB_UPLOAD_INVALID", "blob upload invalid");
      if (Number(m[1]) !== current.byteLength) return ociError(ctx, 416, "BLOB_UPLOAD_INVALID", "blob upload invalid");
    } else if (current.byteLength !== 0) {
      return ociError(ctx, 400, "BLOB_UPLOAD_INVALID", "Stream uploads after first write are not allowed");
    }
    const next = Buffer.concat([current, (await readBody(ctx.req)).body]);
    all.set(uuid, next);
    return sendEmpty(ctx.res, 202, { ...headers, Location: `${base(ctx)}/blobs/uploads/${uuid}`, Range: `0-${next.byteLength - 1}` });
  }
  // PUT: append the last chunk, then the digest must match everything received.
  const whole = Buffer.concat([current, (await readBody(ctx.req)).body]);
  all.set(uuid, whole);
  const digest = (ctx.url.searchParams.get("digest") ?? "").trim();
  if (`sha256:${sha256Hex(whole)}` !== digest) return ociError(ctx, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
  saveBlob(ctx, whole);
  all.delete(uuid);
  created(ctx, digest);
}

function findBlob(ctx: OciCtx, digest: string): { pkg: Package; mediaType: string; bytes: Buffer } | undefined {
  const pkg = ctx.store.packageByName(ctx.owner.id, ctx.image);
  const hit = pkg && ctx.store.imageFiles(pkg, (f) => f.digest === digest)[0];
  const bytes = hit && ctx.store.blobs.get(digest.slice(digest.indexOf(":") + 1));
  return pkg && hit && bytes ? { pkg, mediaType: hit.f.mediaType, bytes } : undefined;
}

/** HEAD/GET/DELETE .../blobs/<digest>: a blob is visible only while a file of this image points at it. */
export function blob(ctx: OciCtx, digest: string): void {
  if (ctx.method === "DELETE") {
    if (!isDigest(digest)) return ociError(ctx, 404, "BLOB_UNKNOWN", "blob unknown to registry");
    const pkg = ctx.store.packageByName(ctx.owner.id, ctx.image);
    if (pkg) for (const { v, f } of ctx.store.imageFiles(pkg, (f) => f.digest === digest)) v.files.splice(v.files.indexOf(f), 1);
    return sendEmpty(ctx.res, 202, { ...OCI_HEADERS, "Content-Length": 0 });
  }
  const found = findBlob(ctx, digest);
  if (!found) return ociError(ctx, 404, "BLOB_UNKNOWN", "blob unknown to registry");
  sendBytes(ctx.res, 200, found.bytes, {
    ...OCI_HEADERS,
    "Content-Type": found.mediaType || "application/octet-stream",
    "Docker-Content-Digest": digest,
    ETag: `"${digest}"`,
  });
}
