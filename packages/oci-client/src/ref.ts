// Image references: host[:port]/path/name[:tag][@digest]. The host is
// mandatory: these jobs only ever talk to a named private registry, and a
// silent docker.io default would send credentials to the wrong place.
import { parseDigest, type Digest } from "./digest.js";
import { InvalidReferenceError } from "./errors.js";

/** A parsed image reference. */
export interface Reference {
  /** host[:port] as written. */
  readonly registry: string;
  /** Repository path without the registry, e.g. viktor/infra-ci. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** The same grammar with capitals, for reading a source that stored them (see assertRepository). */
const PATH_COMPONENT_ANY_CASE = new RegExp(PATH_COMPONENT.source, "i");
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** `user:pass@host/...` -> `***@host/...`: an `@` before the first `/` is userinfo, never a digest. */
function maskUserinfo(input: string): string {
  const slash = input.indexOf("/");
  const at = input.lastIndexOf("@", slash === -1 ? input.length : slash);
  return at === -1 || (slash !== -1 && at > slash) ? input : `***${input.slice(at)}`;
}

/** Parse and validate a reference; throws InvalidReferenceError naming the problem. */
export function parseReference(text: string): Reference {
  const input = text.trim();
  const fail = (why: string): never => {
    throw new InvalidReferenceError(`invalid image reference ${JSON.stringify(maskUserinfo(input).slice(0, 300))}: ${why}`);
  };
  if (input === "") fail("it is empty");
  if (input.length > 512) fail("it is longer than 512 characters");
  if (/[\s\x00-\x1f]/.test(input)) fail("it contains whitespace or control characters");
  if (input.includes("://")) fail("leave out the scheme (write forgejo.example/owner/image:tag)");

  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    try {
      digest = parseDigest(rest.slice(at + 1));
    } catch {
      fail("the part after @ must be sha256:<64 hex>");
    }
    rest = rest.slice(0, at);
  }

  const slash = rest.indexOf("/");
  if (slash === -1) fail("it needs a registry host, e.g. forgejo.example/owner/image:tag");
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  if (!HOST.test(registry) || !(registry.includes(".") || registry.includes(":") || registry === "localhost")) {
    fail(`${JSON.stringify(registry)} is not a registry host (it needs a dot, a port, or to be localhost)`);
  }
  const port = /:(\d+)$/.exec(registry)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) fail(`port ${port} is out of range`);

  let tag: string | undefined;
  const colon = path.lastIndexOf(":");
  if (colon !== -1) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) fail(`tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -, at most 128)`);
  }
  if (path === "") fail("the repository path is empty");
  for (const component of path.split("/")) {
    if (!PATH_COMPONENT.test(component)) {
      fail(`path component ${JSON.stringify(component)} is not valid (lower-case letters, digits, separators . _ __ -)`);
    }
  }
  if (path.length > 255) fail("the repository path is longer than 255 characters");
  return { registry, repository: path, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The tag or digest to request; a reference with neither means `latest`. */
export function referenceTarget(ref: Reference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

/** Canonical text form. */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/**
 * Validate a repository name used in a URL path. `anyCase` lets capitals through for reads from a
 * registry that stored such names before distribution's grammar forbade them (a sync source whose
 * names are lower-cased on the way to Forgejo); the characters are still only letters, digits and
 * separators, so a name can never reach outside its own path. Writes always use the strict grammar.
 */
export function assertRepository(repository: string, opts: { anyCase?: boolean } = {}): void {
  const component = opts.anyCase === true ? PATH_COMPONENT_ANY_CASE : PATH_COMPONENT;
  const ok = repository.length > 0 && repository.length <= 255 && repository.split("/").every((c) => component.test(c));
  if (!ok) throw new InvalidReferenceError(`invalid repository name ${JSON.stringify(repository.slice(0, 300))}`);
}

/** Validate a tag or digest used in a URL path. */
export function assertTarget(target: string): void {
  if (target.includes(":")) {
    parseDigest(target);
    return;
  }
  if (!TAG.test(target)) throw new InvalidReferenceError(`invalid tag ${JSON.stringify(target.slice(0, 300))}`);
}

/**
 * A registry on the machine itself: `localhost`, `*.localhost`, 127.0.0.0/8 or [::1], with any port.
 * Docker and go-containerregistry (name.Registry.Scheme) talk plain http to these by default, since
 * nobody serves a loopback registry with a certificate a client would trust; everything else is https.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || /^127(?:\.\d{1,3}){3}$/.test(host) || host === "[::1]";
}

/** The scheme to reach `registry` (host[:port]) with when nothing says otherwise: http on loopback, else https. */
export function defaultScheme(registry: string): "http" | "https" {
  return isLoopbackRegistry(registry) ? "http" : "https";
}
