// Used by pnpm bench:probe and pnpm bench:sync (issue 12, 15): the same seeded set on both sides.
// Seeds a registry:2 quickly over plain HTTP: monolithic blob uploads
// (POST + one PUT each), small unique configs so every tag is its own image,
// shared layers, and a third of the repositories multi-arch with buildx-
// style attestation children. Requests run through a small pool.
import { createHash, randomBytes } from "node:crypto";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const IN_TOTO = "application/vnd.in-toto+json";

interface Ref {
  mediaType: string;
  digest: string;
  size: number;
}
const sha = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** What was seeded. */
export interface SeedPlan {
  repositories: number;
  tagsPerRepo: number;
  multiArchEvery: number;
}
export interface Seeded {
  repositories: string[];
  tags: number;
  indexes: number;
  requests: number;
}

/** Run `tasks` with at most `width` in flight. */
async function pool<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

export async function seedRegistry(url: string, plan: SeedPlan, width = 32): Promise<Seeded> {
  let requests = 0;
  const send = async (method: string, path: string, body: Uint8Array | undefined, contentType: string, ok: number): Promise<Response> => {
    requests++;
    const res = await fetch(new URL(path, url), { method, ...(body ? { body } : {}), headers: { "content-type": contentType } });
    await res.arrayBuffer();
    if (res.status !== ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return res;
  };
  // registry:2 2.8 has no single-POST upload: POST for a session, then one monolithic PUT.
  const blob = async (repo: string, bytes: Uint8Array, mediaType: string): Promise<Ref> => {
    const digest = sha(bytes);
    const start = await send("POST", `/v2/${repo}/blobs/uploads/`, undefined, "application/octet-stream", 202);
    const location = new URL(start.headers.get("location") ?? "", url);
    location.searchParams.set("digest", digest);
    await send("PUT", location.toString(), bytes, "application/octet-stream", 201);
    return { mediaType, digest, size: bytes.length };
  };
  const manifest = async (repo: string, ref: string | undefined, body: object, mediaType: string): Promise<Ref> => {
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = sha(bytes);
    await send("PUT", `/v2/${repo}/manifests/${ref ?? digest}`, bytes, mediaType, 201);
    return { mediaType, digest, size: bytes.length };
  };
  const image = async (repo: string, ref: string | undefined, label: string, layers: Ref[]): Promise<Ref> => {
    const config = await blob(
      repo,
      Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { label } }, rootfs: { type: "layers", diff_ids: [] } })),
      OCI_CONFIG,
    );
    return manifest(repo, ref, { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers }, OCI_MANIFEST);
  };

  const repos = Array.from({ length: plan.repositories }, (_, i) => `bench/app-${String(i).padStart(3, "0")}`);
  const shared = new Map<string, Ref[]>();
  await pool(repos, width, async (repo) => {
    shared.set(repo, [await blob(repo, randomBytes(4096), OCI_LAYER), await blob(repo, randomBytes(2048), OCI_LAYER)]);
  });
  const work = repos.flatMap((repo, r) =>
    Array.from({ length: plan.tagsPerRepo }, (_, t) => ({
      repo,
      multi: r % plan.multiArchEvery === 0,
      tag: t === plan.tagsPerRepo - 1 ? "latest" : `1.${Math.floor(t / 10)}.${t % 10}`,
    })),
  );
  let indexes = 0;
  await pool(work, width, async ({ repo, multi, tag }) => {
    const layers = shared.get(repo) as Ref[];
    if (!multi) {
      await image(repo, tag, `${repo}:${tag}`, layers);
      return;
    }
    const entries: object[] = [];
    for (const architecture of ["amd64", "arm64"]) {
      const child = await image(repo, undefined, `${repo}:${tag}/${architecture}`, layers);
      entries.push({ ...child, platform: { os: "linux", architecture } });
      const statement = await blob(
        repo,
        Buffer.from(JSON.stringify({ _type: "https://in-toto.io/Statement/v0.1", subject: [{ digest: child.digest }] })),
        IN_TOTO,
      );
      const att = await image(repo, undefined, `${repo}:${tag}/${architecture}/attestation`, [statement]);
      entries.push({
        ...att,
        platform: { os: "unknown", architecture: "unknown" },
        annotations: { "vnd.docker.reference.digest": child.digest, "vnd.docker.reference.type": "attestation-manifest" },
      });
    }
    await manifest(repo, tag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }, OCI_INDEX);
    indexes++;
  });
  return { repositories: repos, tags: work.length, indexes, requests };
}
