// Pushes an incident fixture (test/fixtures/<incident>/seed.json) into a Forgejo as real
// manifests, so the job's own graph reading (the inventory's HEADs, GETs of tags and digests,
// index parsing over /v2) meets the incident's shape instead of the hand-built graph that
// fixtures.test.ts feeds the planner (issue 16: index-children safety must not rest on one
// incident test).
//
// A fixture name becomes the digest of real bytes: a name with references in `manifests` is an
// OCI index listing them, any other an image whose config carries the name (same name, same
// digest, so two tags of one name hold one manifest). A name that references an index is a
// referrer whose `subject` that index is: Forgejo refuses an index nested in an index. Versions are pushed oldest first, each
// dated by `created`, every reference before the version that needs it (Forgejo refuses an
// index whose children it lacks). A referenced name no version holds (a child the shell script
// deleted long ago) is pushed by digest and then deleted through the packages API, which is how
// such damage is made for real.
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage, pushManifest, type ReplayServer } from "@regguard/testkit";
import { expandNames, fixtureHex, readFixtureText, type Expected, type Seed, type SeedVersion } from "./fixture-loader.js";
import { at, deleteVersion, OWNER, target } from "./harness.js";

/** A fixture as it now exists on the server. */
export interface ReplayedFixture {
  seed: Seed;
  /** expected.json with every `{name}` spelled as the real digest's hex. */
  expected: Expected;
  /** The real sha256 hex a fixture name stands for (the stand-in hash for names never pushed). */
  hexOf(name: string): string;
}

interface Pushed {
  digest: string;
  mediaType: string;
  size: number;
}

const PLACEHOLDER = /\{([^{}"\s]+)\}/g;
const nameOf = (ref: string): string => {
  const m = /^sha256:\{([^{}"\s]+)\}$/.exec(ref);
  if (!m?.[1]) throw new Error(`fixture reference ${ref} is not sha256:{name}`);
  return m[1];
};

/** Push fixture `name` into `server` under viktor/<package>; returns how to read its expected outcome. */
export async function replayFixture(server: ReplayServer, name: string): Promise<ReplayedFixture> {
  const text = readFixtureText(name);
  const seed = JSON.parse(text.seed) as Seed;
  const repo = `${OWNER}/${seed.package}`;
  const refsOf = new Map(Object.entries(seed.manifests ?? {}).map(([k, refs]) => [nameOf(k), refs.map(nameOf)]));
  const held = (v: SeedVersion): string => nameOf(v.name.startsWith("sha256:") ? v.name : (v.holds ?? ""));
  const holders = new Map<string, SeedVersion>();
  for (const v of seed.versions) if (!holders.has(held(v))) holders.set(held(v), v);
  const pushed = new Map<string, Pushed>();
  const done = new Set<SeedVersion>();
  const ghosts: string[] = [];

  const hexOf = (n: string): string => pushed.get(n)?.digest.slice("sha256:".length) ?? fixtureHex(n);

  const push = async (n: string, reference: string | undefined): Promise<Pushed> => {
    const refs = refsOf.get(n) ?? [];
    let result: Pushed;
    const subject = refs.length === 1 && refs[0] !== undefined ? pushed.get(refs[0]) : undefined;
    if (subject?.mediaType === OCI_INDEX) {
      const config = await pushBlob(
        target(server),
        repo,
        Buffer.from(JSON.stringify({ architecture: "unknown", os: "unknown", rootfs: { type: "layers", diff_ids: [] } })),
      );
      const layer = await pushBlob(target(server), repo, Buffer.from(`fixture ${name} ${n}`));
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, ...config },
          layers: [{ mediaType: "application/vnd.dev.cosign.simplesigning.v1+json", ...layer }],
          subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        }),
      );
      result = { digest: await pushManifest(target(server), repo, reference, OCI_MANIFEST, bytes), mediaType: OCI_MANIFEST, size: bytes.length };
    } else if (refs.length > 0) {
      const manifests = refs.map((r) => {
        const p = pushed.get(r);
        if (!p) throw new Error(`${name}: ${r} must be pushed before ${n}`);
        return { mediaType: p.mediaType, digest: p.digest, size: p.size };
      });
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
      result = { digest: await pushManifest(target(server), repo, reference, OCI_INDEX, bytes), mediaType: OCI_INDEX, size: bytes.length };
    } else {
      const image = await pushImage(target(server), repo, reference, { seed: `fixture ${name} ${n}` });
      result = { digest: image.digest, mediaType: OCI_MANIFEST, size: image.manifest.length };
    }
    pushed.set(n, result);
    return result;
  };

  // Push `n` (and what it references) if nothing has yet: by its own version when one holds it,
  // else by digest, dated `created`, to be deleted once everything is in.
  const ensure = async (n: string, created: string): Promise<void> => {
    if (pushed.has(n)) return;
    const holder = holders.get(n);
    if (holder && !done.has(holder)) return pushVersion(holder);
    for (const r of refsOf.get(n) ?? []) await ensure(r, created);
    at(server, created);
    await push(n, undefined);
    ghosts.push(n);
  };

  async function pushVersion(v: SeedVersion): Promise<void> {
    if (done.has(v)) return;
    done.add(v);
    const n = held(v);
    for (const r of refsOf.get(n) ?? []) await ensure(r, v.created);
    // A cosign tag names its subject's digest: the subject must be real before the tag is spelled.
    for (const [, m] of v.name.matchAll(PLACEHOLDER)) if (m && m !== n && (holders.has(m) || refsOf.has(m))) await ensure(m, v.created);
    at(server, v.created);
    await push(n, v.name.startsWith("sha256:") ? undefined : expandNames(v.name, hexOf));
  }

  const byAge = seed.versions.map((v, i) => ({ v, i })).sort((a, b) => Date.parse(a.v.created) - Date.parse(b.v.created) || a.i - b.i);
  for (const { v } of byAge) await pushVersion(v);
  for (const g of ghosts) {
    const res = await deleteVersion(server, seed.package, `sha256:${hexOf(g)}`);
    if (res.status !== 204) throw new Error(`${name}: deleting ${g} behind the job's back answered ${res.status}`);
  }
  return { seed, expected: JSON.parse(expandNames(text.expected, hexOf)) as Expected, hexOf };
}
