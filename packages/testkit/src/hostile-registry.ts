// A registry that serves what a real one would not, at a scale that breaks a walker holding it all
// at once (issue 12): an index with tens of thousands of children, a repository with 200,000
// tags, manifests of 16 MB of deeply nested JSON. Answers are generated, never stored, so the
// server itself stays small whatever it claims to hold. One repository per case:
//   hostile/wide     `latest` is an index of `children` image children (CHECK_BLOBS=false walks HEADs)
//   hostile/tags     `tags` tags, honouring `n`/`last`, each the same small image
//   hostile/nested   `nested` tags, each a 16 MB manifest of nested arrays
import { createHash } from "node:crypto";
import { startScriptedServer, type ScriptedResponse, type StartedScriptedServer } from "./scripted-server.js";

/** How much of each case to serve. */
export interface HostileRegistryOptions {
  /** Children of hostile/wide:latest (default 25,000: an index just under 4 MiB). */
  children?: number;
  /** Tags of hostile/tags (default 200,000). */
  tags?: number;
  /** Tags of hostile/nested (default 32), each `nestedBytes` of `[[[...]]]`. */
  nested?: number;
  nestedBytes?: number;
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const sha = (b: Uint8Array | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
const layer = Buffer.from("hostile layer");
const image = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha(config), size: config.length },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha(layer), size: layer.length }],
  }),
);

/** The tag names of hostile/tags, in the order tags/list sorts them. */
const tagName = (i: number): string => `t${String(i).padStart(7, "0")}`;

function wideIndex(children: number): Buffer {
  const child = (i: number) => `{"mediaType":"${OCI_MANIFEST}","digest":"${sha(`child-${i}`)}","size":${image.length}}`;
  const parts: string[] = [];
  for (let i = 0; i < children; i++) parts.push(child(i));
  return Buffer.from(`{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[${parts.join(",")}]}`);
}

function nestedBody(bytes: number): Buffer {
  const depth = Math.floor(bytes / 2);
  return Buffer.concat([Buffer.alloc(depth, "["), Buffer.alloc(depth, "]")]);
}

/** Starts the hostile registry on 127.0.0.1; its `requests` are counted, not kept. */
export async function startHostileRegistry(opts: HostileRegistryOptions = {}): Promise<StartedScriptedServer & { served: () => number }> {
  const children = opts.children ?? 25_000;
  const tags = opts.tags ?? 200_000;
  const nested = opts.nested ?? 32;
  const wide = wideIndex(children);
  const nestedManifest = nestedBody(opts.nestedBytes ?? 16 * 1024 * 1024);
  const childDigests = new Set(Array.from({ length: children }, (_, i) => sha(`child-${i}`)));
  let served = 0;
  const manifest = (body: Buffer, type: string, method: string, digest = sha(body)): ScriptedResponse => ({
    headers: { "content-type": type, "docker-content-digest": digest, "content-length": String(body.length) },
    body: method === "HEAD" ? "" : body,
  });
  const server = await startScriptedServer(
    (req) => {
      served++;
      const url = new URL(req.path, "http://hostile.invalid");
      const p = url.pathname;
      if (p === "/v2/" || p === "/v2") return { body: {} };
      if (p === "/v2/_catalog") return { body: { repositories: url.searchParams.get("last") ? [] : ["hostile/nested", "hostile/tags", "hostile/wide"] } };
      if (p === "/v2/hostile/wide/tags/list") return { body: { tags: url.searchParams.get("last") ? [] : ["latest"] } };
      if (p === "/v2/hostile/wide/manifests/latest") return manifest(wide, OCI_INDEX, req.method);
      const child = /^\/v2\/hostile\/wide\/manifests\/(sha256:[a-f0-9]{64})$/.exec(p)?.[1];
      // Every child answers with the same image bytes under its own digest: a HEAD (no body) walk
      // sees a healthy child; a GET sees a digest mismatch, which is fine for a memory test.
      if (child && childDigests.has(child)) return manifest(image, OCI_MANIFEST, req.method, child);
      if (p === "/v2/hostile/tags/tags/list" || p === "/v2/hostile/nested/tags/list") {
        const total = p.includes("/tags/tags/") ? tags : nested;
        const n = Math.max(1, Number(url.searchParams.get("n") ?? "1000") || 1000);
        const last = url.searchParams.get("last");
        const start = last ? Number(last.slice(1)) + 1 : 0;
        const page = Array.from({ length: Math.max(0, Math.min(n, total - start)) }, (_, i) => tagName(start + i));
        const repo = p.split("/")[3];
        const headers: Record<string, string> = page.length > 0 ? { link: `</v2/hostile/${repo}/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"` } : {};
        return { headers, body: { name: `hostile/${repo}`, tags: page } };
      }
      if (/^\/v2\/hostile\/tags\/manifests\/t\d{7}$/.test(p)) return manifest(image, OCI_MANIFEST, req.method);
      if (/^\/v2\/hostile\/nested\/manifests\/t\d{7}$/.test(p)) return manifest(nestedManifest, OCI_MANIFEST, req.method);
      if (p.endsWith(`/blobs/${sha(config)}`)) return { headers: { "content-length": String(config.length) }, body: req.method === "HEAD" ? "" : config };
      if (p.endsWith(`/blobs/${sha(layer)}`)) return { headers: { "content-length": String(layer.length) }, body: req.method === "HEAD" ? "" : layer };
      return { status: 404, body: { errors: [{ code: "MANIFEST_UNKNOWN", message: p }] } };
    },
    { keepRequests: false },
  );
  return Object.assign(server, { served: () => served });
}
