// What the client returns: plain data, dates as Date, names as Forgejo stores them (lower-cased).

/** One container package version as the REST list shows it. */
export interface ContainerVersion {
  /** package_version id: a re-pushed tag gets a new one. */
  id: number;
  /** Package (image) name, e.g. `infra-ci` or `team/app`. */
  name: string;
  /** A tag (lower-cased) or `sha256:<hex>` for an untagged manifest. */
  version: string;
  /** One-second resolution; versions of one push often tie. */
  createdAt: Date;
  /** Owner login (user or organization). */
  owner: string;
}

/** A file of a version; `manifest.json`'s sha256 is the manifest digest's hex. */
export interface VersionFile {
  id: number;
  name: string;
  size: number;
  sha256: string;
}

/** The token's user. */
export interface ForgejoUser {
  id: number;
  login: string;
  isAdmin: boolean;
}

export type OwnerKind = "user" | "organization";

/** Why the token's user may (or may not) delete versions of an owner. */
export interface WriteAccess {
  allowed: boolean;
  reason: "owner" | "admin" | "org-member" | "no-write-access";
  user: ForgejoUser;
}

/** The outcome of a version delete: a 404 is a success for an idempotent cleanup. */
export type DeleteOutcome = "deleted" | "already-gone";

/** What the delete-scope probe (a DELETE of a version that cannot exist) was answered. */
export interface DeleteScopeProbe {
  /** 404: the token has write:package. 403: it has not, and every delete would be refused. */
  hasWriteScope: boolean;
  status: 403 | 404;
  /** The package name probed (`regguard-preflight-<random hex>`), for logs. */
  name: string;
  /** Forgejo's message on a 403 (names the missing scope), token-scrubbed. */
  serverMessage?: string;
}
