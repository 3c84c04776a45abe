// Reads test/fixtures/<incident>/{seed,expected}.json into the keep set's
// input. `{name}` anywhere in a fixture stands for the 64-hex sha256 of
// `name`, so fixtures read as `sha256:{amd64}` instead of raw hashes.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDuration } from "@regguard/job-config";
import type { KeepRules } from "../src/keep-set.js";
import type { DigestText, InventoryVersion, PackageInventory, ResolvedNode } from "../src/model.js";

export const FIXTURES = join(import.meta.dirname, "fixtures");

export interface SeedVersion {
  id?: number;
  name: string;
  created: string;
  holds?: string;
}
export interface Seed {
  description: string;
  now: string;
  rules: { keepLastN: number; keepTags: string; untaggedGrace: string };
  package: string;
  versions: SeedVersion[];
  /** digest -> the manifest digests it references (children, subject). */
  manifests?: Record<string, string[]>;
  /** tags or digests answering 404 / 500 when resolved. */
  missing?: string[];
  errors?: string[];
  /** tags whose digest lookup (HEAD) answers 404 / 500. */
  headMissing?: string[];
  headErrors?: string[];
  /** Tags /v2 lists; defaults to the tagged versions. */
  registryTags?: string[];
}

/** Expected outcome: kept name -> reason text, deleted names, frozen, broken targets. */
export interface Expected {
  kept: Record<string, string>;
  deleted: string[];
  frozen?: boolean;
  broken?: string[];
}

export interface Fixture {
  name: string;
  description: string;
  now: number;
  rules: KeepRules;
  pkg: PackageInventory;
  graph: Map<string, ResolvedNode>;
  expected: Expected;
}

/** The stand-in digest of a fixture name: sha256(name) in hex. */
export const fixtureHex = (name: string): string => createHash("sha256").update(name).digest("hex");
/** Replace every `{name}` in a JSON document with `hexOf(name)` (the stand-in hash unless told). */
export const expandNames = (text: string, hexOf: (name: string) => string = fixtureHex): string => text.replace(/\{([^{}"\s]+)\}/g, (_, n: string) => hexOf(n));
const expand = (text: string): string => expandNames(text);

function ms(name: string, raw: string): number {
  const parsed = parseDuration(name, raw);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

/** A fixture's seed and expected outcome as written, `{name}` placeholders and all. */
export function readFixtureText(name: string): { seed: string; expected: string } {
  return { seed: readFileSync(join(FIXTURES, name, "seed.json"), "utf8"), expected: readFileSync(join(FIXTURES, name, "expected.json"), "utf8") };
}

/** Load one fixture directory. */
export function loadFixture(name: string): Fixture {
  const read = <T>(file: string): T => JSON.parse(expand(readFileSync(join(FIXTURES, name, file), "utf8"))) as T;
  const seed = read<Seed>("seed.json");
  const expected = read<Expected>("expected.json");
  const missing = new Set(seed.missing ?? []);
  const errors = new Set(seed.errors ?? []);
  const manifests = seed.manifests ?? {};
  const holdsOf = (v: SeedVersion): string => {
    if (v.holds === undefined && !v.name.startsWith("sha256:")) throw new Error(`${name}: tag ${v.name} needs "holds"`);
    return v.holds ?? v.name;
  };
  const node = (key: string, digest: string): ResolvedNode => {
    if (errors.has(key)) return { state: "error", message: `HTTP 500 for ${key}` };
    if (missing.has(key)) return { state: "missing", message: `404 MANIFEST_UNKNOWN for ${key}` };
    return { state: "ok", digest: digest as DigestText, refs: (manifests[digest] ?? []) as DigestText[] };
  };
  const versions: InventoryVersion[] = seed.versions.map((v, i) => ({
    id: v.id ?? i + 1,
    name: v.name,
    createdAt: Date.parse(v.created),
    digest: seed.headErrors?.includes(v.name)
      ? { state: "error", message: `HEAD ${v.name}: HTTP 500` }
      : seed.headMissing?.includes(v.name)
        ? { state: "missing", message: `HEAD ${v.name}: 404` }
        : // Like the inventory: an untagged version's digest is its name, whatever it really holds.
          { state: "known", digest: (v.name.startsWith("sha256:") ? v.name : holdsOf(v)) as DigestText },
  }));
  const graph = new Map<string, ResolvedNode>();
  // Forgejo serves a digest when any version holds it; a tag serves what its version holds.
  for (const v of seed.versions) {
    if (!v.name.startsWith("sha256:")) graph.set(v.name, node(v.name, holdsOf(v)));
    graph.set(holdsOf(v), node(holdsOf(v), holdsOf(v)));
  }
  const mentioned = [...Object.keys(manifests), ...Object.values(manifests).flat(), ...missing, ...errors];
  for (const d of mentioned) {
    if (!graph.has(d)) graph.set(d, errors.has(d) ? node(d, d) : { state: "missing", message: `404 MANIFEST_UNKNOWN for ${d}` });
  }
  const tags = seed.versions.map((v) => v.name).filter((n) => !n.startsWith("sha256:"));
  return {
    name,
    description: seed.description,
    now: Date.parse(seed.now),
    rules: { keepLastN: seed.rules.keepLastN, keepTags: new RegExp(seed.rules.keepTags), untaggedGraceMs: ms("untaggedGrace", seed.rules.untaggedGrace) },
    pkg: { name: seed.package, repository: `viktor/${seed.package}`, versions, registryTags: { state: "ok", tags: seed.registryTags ?? tags } },
    graph,
    expected,
  };
}

/** Every fixture directory. */
export const fixtureNames = (): string[] =>
  readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
