// How a version's name says what it is. Forgejo names a digest push
// `sha256:<hex>` and lower-cases tags (routers/api/packages/container/
// manifest.go: createPackageAndVersion); names are still compared in lower
// case here so a differently-cased input can never slip past a rule.
import type { DigestText } from "./model.js";

const UNTAGGED = /^sha256:[a-f0-9]{64}$/;
/** cosign's tag schema (`.sig`, `.att`, `.sbom`) and the OCI 1.1 referrers fallback tag (no suffix). */
const COSIGN = /^sha256-([a-f0-9]{64})(?:\.(?:sig|att|sbom))?$/;

/** What kind of version a name denotes. */
export type NameKind =
  | { kind: "untagged"; digest: DigestText }
  | { kind: "cosign"; subject: DigestText }
  | { kind: "tag" }
  /** Starts with `sha256:` but is not a valid digest: its content cannot be told from its name. */
  | { kind: "invalid" };

/** Lower-case, the only form names are compared in. */
export const norm = (name: string): string => name.toLowerCase();

/** Classify a version name. */
export function nameKind(name: string): NameKind {
  const n = norm(name);
  if (n.startsWith("sha256:")) return UNTAGGED.test(n) ? { kind: "untagged", digest: n as DigestText } : { kind: "invalid" };
  const cosign = COSIGN.exec(n);
  if (cosign) return { kind: "cosign", subject: `sha256:${cosign[1]}` as DigestText };
  return { kind: "tag" };
}

/** Whether a name is a tag (anything a client pulls by name), cosign tags included. */
export const isTagName = (name: string): boolean => !norm(name).startsWith("sha256:");

/** Whether text is a sha256 digest in canonical form. */
export const isDigestText = (text: string): text is DigestText => UNTAGGED.test(text);
