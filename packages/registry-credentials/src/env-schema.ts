// The command's environment contract. Every secret can also come from a file
// (`<NAME>_FILE`, e.g. a Vault Agent or `vault kv get -field` redirect), so
// tokens never have to sit in shell history or a process listing.
import type { EnvSchema } from "@regguard/job-config";

/** Credential groups in the order their auths entries are written. */
export const GROUPS = ["registry2", "dockerhub", "forgejo"] as const;

/** One credential group: a login used for one or more registry hosts. */
export type Group = (typeof GROUPS)[number];

/** Environment prefix per group: REGISTRY2_USERNAME, FORGEJO_TOKEN, ... */
export const GROUP_PREFIX: Readonly<Record<Group, string>> = {
  registry2: "REGISTRY2",
  dockerhub: "DOCKERHUB",
  forgejo: "FORGEJO",
};

export const CREDENTIALS_ENV = [
  {
    name: "INCLUDE",
    kind: "list",
    description: "Credential groups to write (registry2, dockerhub, forgejo); drop registry2 after decommission",
    default: "registry2,dockerhub,forgejo",
  },
  { name: "SECRET_NAME", kind: "string", description: "Name of the Secret", default: "registry-credentials" },
  { name: "SECRET_NAMESPACE", kind: "string", description: "Namespace the Kyverno ClusterPolicy clones from", default: "kyverno" },
  {
    name: "REGISTRY2_HOSTS",
    kind: "list",
    description: "auths keys for the old registry:2 (host[:port], no scheme, no path)",
    default: "registry.viktorbarzin.me,registry.viktorbarzin.me:5050",
  },
  { name: "REGISTRY2_USERNAME", kind: "string", description: "registry:2 htpasswd user" },
  { name: "REGISTRY2_TOKEN", kind: "string", description: "registry:2 password (or REGISTRY2_TOKEN_FILE)", secret: true },
  {
    name: "DOCKERHUB_HOSTS",
    kind: "list",
    description: "auths keys for Docker Hub (kubelet maps docker.io images to index.docker.io)",
    default: "index.docker.io",
  },
  { name: "DOCKERHUB_USERNAME", kind: "string", description: "Docker Hub account (lifts the anonymous pull rate limit)" },
  { name: "DOCKERHUB_TOKEN", kind: "string", description: "Docker Hub access token (or DOCKERHUB_TOKEN_FILE)", secret: true },
  { name: "FORGEJO_HOSTS", kind: "list", description: "auths keys for Forgejo's registry", default: "forgejo.viktorbarzin.me" },
  { name: "FORGEJO_USERNAME", kind: "string", description: "Forgejo user owning the pull PAT", default: "cluster-puller" },
  {
    name: "FORGEJO_TOKEN",
    kind: "string",
    description: "read:package PAT of FORGEJO_USERNAME (Vault secret/viktor/forgejo_pull_token; or FORGEJO_TOKEN_FILE)",
    secret: true,
  },
] as const satisfies EnvSchema;
