// The walk behind the probe, retention's reference graph and breakglass:
// catalog -> tags -> manifest -> index children (recursively) -> config and
// layer blobs. Events stream out as they happen; a failed request is a
// finding, never the end of the walk.
import { forEachBounded } from "./bounded.js";
import { Channel } from "./channel.js";
import type { Digest } from "./digest.js";
import { SizeMismatchError } from "./errors.js";
import { classify, type Finding } from "./findings.js";
import { Limiter } from "./limiter.js";
import { INDEX_TYPES } from "./media-types.js";
import type { Descriptor, Manifest } from "./manifest.js";
import { sampleTags } from "./tag-sample.js";
import type { RegistryClient } from "./client.js";

/** What the walk saw, in the order it saw it. */
export type WalkEvent =
  | { type: "repository"; repository: string }
  | { type: "tag"; repository: string; tag: string }
  | { type: "manifest"; repository: string; digest: Digest; kind: "image" | "index"; mediaType: string; tag?: string; parent?: string; manifest?: Manifest }
  | { type: "blob"; repository: string; digest: Digest; size: number; parent: string }
  | { type: "finding"; finding: Finding }
  /** The catalog could not be read; the walk ends after this. */
  | { type: "catalog_error"; error: Error };

export interface WalkOptions {
  /** Only repositories under this prefix, e.g. viktor/. */
  prefix?: string;
  /** Walk these repositories instead of the catalog. */
  repositories?: readonly string[];
  /** N newest-looking tags per repository plus latest; 0 = all. */
  tagsPerRepo?: number;
  /** HEAD every config and layer blob with a size check. */
  checkBlobs?: boolean;
  /** Tags being checked at once (the client limits requests separately). */
  concurrency?: number;
  /** Attach parsed manifests to manifest events (retention, breakglass). */
  includeManifests?: boolean;
}

/** Walk a whole registry (or the given repositories). */
export function walkRegistry(client: RegistryClient, opts: WalkOptions = {}): AsyncIterable<WalkEvent> {
  return run(
    opts,
    async (w) => {
      const repos: AsyncIterable<string> | readonly string[] =
        opts.repositories ?? client.repositories(opts.prefix !== undefined ? { prefix: opts.prefix } : {});
      const pending = new Set<Promise<void>>();
      try {
        for await (const repository of repos) {
          const task = w.repository(repository).finally(() => pending.delete(task));
          pending.add(task);
          // Backpressure: do not read the catalog far ahead of the checks.
          if (pending.size >= w.width * 2) await Promise.race(pending);
        }
      } catch (error) {
        await Promise.allSettled(pending);
        await w.emit({ type: "catalog_error", error: error as Error });
        return;
      }
      await Promise.all(pending);
    },
    client,
  );
}

/** Walk one image by tag or digest. */
export function walkImage(client: RegistryClient, repository: string, target: string, opts: WalkOptions = {}): AsyncIterable<WalkEvent> {
  return run(opts, (w) => w.tag(repository, target), client);
}

type Emit = (e: WalkEvent) => Promise<void>;

function run(opts: WalkOptions, body: (w: Walker) => Promise<void>, client: RegistryClient): AsyncIterable<WalkEvent> {
  const channel = new Channel<WalkEvent>();
  const walker = new Walker(client, opts, (e) => channel.push(e));
  body(walker).then(
    () => channel.close(),
    (e: unknown) => channel.close(e),
  );
  return channel;
}

class Walker {
  readonly width: number;
  private readonly seen = new Set<string>();
  private readonly limit;
  private readonly checkBlobs: boolean;

  constructor(
    private readonly client: RegistryClient,
    private readonly opts: WalkOptions,
    readonly emit: Emit,
  ) {
    this.width = opts.concurrency ?? 16;
    this.limit = new Limiter(this.width);
    this.checkBlobs = opts.checkBlobs ?? true;
  }

  async repository(repository: string): Promise<void> {
    await this.emit({ type: "repository", repository });
    const sample = this.opts.tagsPerRepo ?? 0;
    // Every tag: walked as its page arrives. A sample needs the whole list to pick from.
    const tags = sample > 0 ? this.sampled(repository, sample) : this.streamed(repository);
    try {
      await forEachBounded(tags, this.width, (tag) => this.limit.run(() => this.tag(repository, tag)));
    } catch (error) {
      await this.finding(classify(error, "manifest_missing", { repository }));
    }
  }

  private async *streamed(repository: string): AsyncGenerator<string> {
    for await (const page of this.client.tagPages(repository)) yield* page;
  }

  private async *sampled(repository: string, n: number): AsyncGenerator<string> {
    yield* sampleTags(await this.client.tags(repository), n);
  }

  async tag(repository: string, tag: string): Promise<void> {
    if (!tag.includes(":")) await this.emit({ type: "tag", repository, tag });
    let manifest: Manifest;
    try {
      manifest = await this.client.manifest(repository, tag);
    } catch (error) {
      await this.finding(classify(error, "manifest_missing", { repository, ...(tag.includes(":") ? { digest: tag } : { tag }) }));
      return;
    }
    await this.tree(repository, manifest, tag.includes(":") ? undefined : tag, undefined);
  }

  private async tree(repository: string, m: Manifest, tag: string | undefined, parent: string | undefined): Promise<void> {
    const key = `${repository}@${m.digest}`;
    if (this.seen.has(key) && parent === undefined) return;
    this.seen.add(key);
    await this.emit({
      type: "manifest",
      repository,
      digest: m.digest,
      kind: m.kind,
      mediaType: m.mediaType,
      ...(tag ? { tag } : {}),
      ...(parent ? { parent } : {}),
      ...(this.opts.includeManifests ? { manifest: m } : {}),
    });
    if (m.kind === "index") {
      await forEachBounded(m.manifests, this.width, (d) => this.child(repository, d, tag, m.digest));
    } else if (this.checkBlobs) {
      await forEachBounded([m.config, ...m.layers], this.width, (d) => this.blob(repository, d, tag, m.digest));
    }
  }

  private async child(repository: string, d: Descriptor, tag: string | undefined, parent: string): Promise<void> {
    const key = `${repository}@${d.digest}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const at = { repository, digest: d.digest, parent, ...(tag ? { tag } : {}) };
    try {
      const mayBeIndex = d.mediaType === "" || INDEX_TYPES.includes(d.mediaType);
      if (this.checkBlobs || this.opts.includeManifests || INDEX_TYPES.includes(d.mediaType)) {
        const m = await fetchChild(this.client, repository, d);
        this.seen.delete(key);
        await this.tree(repository, m, tag, parent);
        return;
      }
      const head = await this.client.checkManifest(repository, d.digest, d.size);
      const type = head.mediaType ?? d.mediaType;
      if (mayBeIndex && type && INDEX_TYPES.includes(type)) {
        this.seen.delete(key);
        await this.tree(repository, await fetchChild(this.client, repository, d), tag, parent);
        return;
      }
      await this.emit({ type: "manifest", repository, digest: d.digest, kind: "image", mediaType: type, parent, ...(tag ? { tag } : {}) });
    } catch (error) {
      await this.finding(classify(error, "child_missing", at));
    }
  }

  private async blob(repository: string, d: Descriptor, tag: string | undefined, parent: string): Promise<void> {
    const key = `${repository}@blob:${d.digest}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    try {
      await this.client.checkBlob(repository, d);
      await this.emit({ type: "blob", repository, digest: d.digest, size: d.size, parent });
    } catch (error) {
      await this.finding(classify(error, "blob_missing", { repository, digest: d.digest, parent, ...(tag ? { tag } : {}) }));
    }
  }

  private finding(finding: Finding): Promise<void> {
    return this.emit({ type: "finding", finding });
  }
}

/**
 * GET an index child by digest and hold it to the descriptor's size, as
 * checkManifest does for a HEAD: the digest proves the bytes, not the index.
 */
async function fetchChild(client: RegistryClient, repository: string, d: Descriptor): Promise<Manifest> {
  const m = await client.manifest(repository, d.digest);
  if (m.raw.length !== d.size) {
    throw new SizeMismatchError(`manifest ${repository}@${d.digest}: descriptor says ${d.size} bytes, the registry has ${m.raw.length}`);
  }
  return m;
}
