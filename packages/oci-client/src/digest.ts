// Digests are the identity of everything in a registry; validate them where
// they enter so a bad one never reaches a URL path.
import { createHash, hash } from "node:crypto";
import { InvalidDigestError } from "./errors.js";

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** "sha256:<64 hex>" (or sha512), validated. */
export type Digest = `${string}:${string}`;

/** Validate and return a digest, or throw InvalidDigestError. */
export function parseDigest(text: string): Digest {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(text);
  const algo = m?.[1];
  if (!m || !algo || HEX_LENGTH[algo] === undefined || m[2]?.length !== HEX_LENGTH[algo]) {
    throw new InvalidDigestError(`invalid digest ${JSON.stringify(text.slice(0, 140))}: expected sha256:<64 hex>`);
  }
  return text as Digest;
}

/** Whether a string is a valid digest. */
export function isDigest(text: string): boolean {
  try {
    parseDigest(text);
    return true;
  } catch {
    return false;
  }
}

/** Digest of bytes with the algorithm of `like` (sha256 by default). */
export function digestOf(bytes: Uint8Array, like: string = "sha256:"): Digest {
  const algo = like.split(":")[0] === "sha512" ? "sha512" : "sha256";
  // crypto.hash: one call, no Hash object (Node >= 20.12); every manifest read is hashed.
  return `${algo}:${hash(algo, bytes, "hex")}`;
}

/** Incremental hasher for streamed blobs. */
export function digester(expected: string): { update(chunk: Uint8Array): void; digest(): Digest } {
  const algo = expected.split(":")[0] === "sha512" ? "sha512" : "sha256";
  const h = createHash(algo);
  return {
    update: (chunk) => void h.update(chunk),
    digest: () => `${algo}:${h.digest("hex")}`,
  };
}
