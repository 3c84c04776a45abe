// Image references as a container runtime reads them, normalised so that the many ways a workload can
// name one image compare equal: `nginx` is `docker.io/library/nginx:latest`, `index.docker.io/x/y` is
// `docker.io/x/y`, `Registry.Example/App` is `registry.example/app` (Forgejo and distribution store
// names lower-cased), and the digest of `name:tag@digest` is what is pulled. The rules are those of
// distribution's reference.ParseNormalizedNamed (github.com/distribution/reference, normalize.go):
// the first path component is a registry host only when it has a `.` or a `:`, is `localhost`, or has
// an upper-case letter; otherwise the image is on Docker Hub.
//
// Unlike @regguard/oci-client's parseReference (which a job uses for the registry it is told to talk
// to, and so refuses a missing host), this accepts whatever the API server accepted, because its
// only use is to recognise our images among everything a cluster runs.
import { parseDigest, type Digest } from "@regguard/oci-client";
import { RegguardError } from "@regguard/edge";

/** A workload's image, normalised. */
export interface ImageReference {
  /** Host[:port], lower-cased; Docker Hub is `docker.io`. */
  readonly registry: string;
  /** Path without the host, lower-cased. */
  readonly repository: string;
  /** As written (tags are case-sensitive in the distribution spec); `latest` when neither tag nor digest is given. */
  readonly tag?: string;
  readonly digest?: Digest;
}

/** Text that no runtime would pull: kept with the reason so a caller can report it. */
export class InvalidImageError extends RegguardError<"KUBE_INVALID_IMAGE"> {
  constructor(
    readonly text: string,
    why: string,
  ) {
    super("KUBE_INVALID_IMAGE", `image ${JSON.stringify(text.slice(0, 300))} is not a reference a runtime can pull: ${why}`);
    this.name = "InvalidImageError";
  }
}

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** What kubelet and the CRI report in imageID before the reference (docker-shim and cri-dockerd). */
const RUNTIME_PREFIXES = ["docker-pullable://", "docker://"];

/** Normalises a workload's image text; throws InvalidImageError. */
export function normalizeImage(text: string): ImageReference {
  let rest = text.trim();
  for (const prefix of RUNTIME_PREFIXES) if (rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  const fail = (why: string): never => {
    throw new InvalidImageError(text, why);
  };
  if (rest === "") fail("it is empty");
  if (rest.length > 512) fail("it is longer than 512 characters");
  if (/[\s\x00-\x1f]/.test(rest) || rest.includes("://")) fail("it contains whitespace, control characters or a URL scheme");

  let digest: Digest | undefined;
  const at = rest.lastIndexOf("@");
  if (at !== -1) {
    try {
      digest = parseDigest(rest.slice(at + 1).toLowerCase());
    } catch {
      fail("the part after @ is not sha256:<64 hex>");
    }
    rest = rest.slice(0, at);
  }

  const slash = rest.indexOf("/");
  const first = slash === -1 ? "" : rest.slice(0, slash);
  const isHost = slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first);
  let registry = isHost ? first.toLowerCase() : DOCKER_HUB;
  if (DOCKER_HUB_ALIASES.has(registry)) registry = DOCKER_HUB;
  let path = isHost ? rest.slice(slash + 1) : rest;

  let tag: string | undefined;
  const colon = path.lastIndexOf(":");
  if (colon !== -1) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) fail(`tag ${JSON.stringify(tag)} is not valid`);
  }
  path = path.toLowerCase();
  if (registry === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  if (path === "" || !path.split("/").every((c) => COMPONENT.test(c))) fail(`repository ${JSON.stringify(path)} is not valid`);
  if (tag === undefined && digest === undefined) tag = "latest";
  return { registry, repository: path, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository[:tag][@digest]`. */
export function formatImage(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}
