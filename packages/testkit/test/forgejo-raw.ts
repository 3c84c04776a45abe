// Raw HTTP against a Forgejo (real or fake) for the contract suite: /v2 with Basic auth, REST with
// `token <PAT>`. Deliberately tiny and explicit so every request a test makes is visible.
import { createHash, randomUUID } from "node:crypto";
import { request, type Dispatcher } from "undici";

export interface Resp {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

export const sha256 = (b: Uint8Array | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;
export const basic = (user: string, secret: string): string => `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;

export async function http(method: string, url: string, opts: { headers?: Record<string, string>; body?: Uint8Array | string } = {}): Promise<Resp> {
  const res = await request(url, { method: method as Dispatcher.HttpMethod, headers: opts.headers ?? {}, body: opts.body ?? null });
  const body = Buffer.from(await res.body.arrayBuffer());
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const text = body.toString("utf8");
  return { status: res.statusCode, headers, body, text, json: <T>() => JSON.parse(text) as T };
}

/** What a raw push produced. */
export interface Pushed {
  digest: string;
  size: number;
  mediaType: string;
  bytes: Buffer;
}

/** A /v2 client for one user, authenticating with Basic user:PAT on every request. */
export class V2 {
  constructor(
    readonly base: string,
    readonly login: string,
    readonly secret: string,
  ) {}

  req(method: string, path: string, opts: { headers?: Record<string, string>; body?: Uint8Array | string } = {}): Promise<Resp> {
    return http(method, `${this.base}${path}`, { ...opts, headers: { authorization: basic(this.login, this.secret), ...opts.headers } });
  }

  /** Monolithic upload: POST ?digest= with the whole body. */
  async blob(repo: string, bytes: Uint8Array): Promise<string> {
    const digest = sha256(bytes);
    const res = await this.req("POST", `/v2/${repo}/blobs/uploads?digest=${digest}`, { body: bytes });
    if (res.status !== 201) throw new Error(`blob upload to ${repo}: ${res.status} ${res.text}`);
    return digest;
  }

  async putManifest(repo: string, ref: string, mediaType: string, bytes: Uint8Array): Promise<Resp> {
    return this.req("PUT", `/v2/${repo}/manifests/${ref}`, { headers: { "content-type": mediaType }, body: bytes });
  }

  /** A small single-platform OCI image; `ref` is a tag or undefined for a push by digest. */
  async image(repo: string, ref?: string, opts: { seed?: string; platform?: string } = {}): Promise<Pushed> {
    const seed = opts.seed ?? randomUUID();
    const [os = "linux", architecture = "amd64"] = (opts.platform ?? "linux/amd64").split("/");
    const layer = Buffer.from(`layer ${seed}`);
    const config = Buffer.from(JSON.stringify({ architecture, os, rootfs: { type: "layers", diff_ids: [sha256(layer)] }, config: { Labels: { seed } } }));
    const body = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: await this.blob(repo, config), size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: await this.blob(repo, layer), size: layer.length }],
    };
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = sha256(bytes);
    const res = await this.putManifest(repo, ref ?? digest, OCI_MANIFEST, bytes);
    if (res.status !== 201) throw new Error(`manifest push to ${repo}:${ref ?? digest}: ${res.status} ${res.text}`);
    return { digest, size: bytes.length, mediaType: OCI_MANIFEST, bytes };
  }

  indexBytes(children: Array<Pushed & { platform?: string }>): Buffer {
    const manifests = children.map((c) => {
      const [os = "linux", architecture = "amd64"] = (c.platform ?? "linux/amd64").split("/");
      return { mediaType: c.mediaType, digest: c.digest, size: c.size, platform: { os, architecture } };
    });
    return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  }

  /** Children pushed by digest (like buildx), then the index under `tag`. */
  async multiArch(repo: string, tag: string, platforms = ["linux/amd64", "linux/arm64"]): Promise<{ index: Pushed; children: Pushed[] }> {
    const children: Array<Pushed & { platform: string }> = [];
    for (const platform of platforms) children.push({ ...(await this.image(repo, undefined, { platform })), platform });
    const bytes = this.indexBytes(children);
    const res = await this.putManifest(repo, tag, OCI_INDEX, bytes);
    if (res.status !== 201) throw new Error(`index push to ${repo}:${tag}: ${res.status} ${res.text}`);
    return { index: { digest: sha256(bytes), size: bytes.length, mediaType: OCI_INDEX, bytes }, children };
  }
}

/** REST with `Authorization: token <PAT>` (or none). */
export function rest(base: string, token?: string) {
  const headers = (): Record<string, string> => (token ? { authorization: `token ${token}` } : {});
  return {
    get: (path: string) => http("GET", `${base}${path}`, { headers: headers() }),
    del: (path: string) => http("DELETE", `${base}${path}`, { headers: headers() }),
  };
}

/** A REST package row, the fields the suite reads. */
export interface PackageRow {
  id: number;
  name: string;
  version: string;
  type: string;
  created_at: string;
  owner: { login: string };
}

/** Every version of `owner` whose package name matches `q`, following pages until an empty one. */
export async function listAll(base: string, token: string, owner: string, q: string): Promise<PackageRow[]> {
  const all: PackageRow[] = [];
  for (let page = 1; ; page++) {
    const res = await rest(base, token).get(`/api/v1/packages/${owner}?type=container&limit=50&page=${page}&q=${encodeURIComponent(q)}`);
    if (res.status !== 200) throw new Error(`list ${owner} page ${page}: ${res.status} ${res.text}`);
    const rows = res.json<PackageRow[]>();
    if (rows.length === 0) return all;
    all.push(...rows);
  }
}
