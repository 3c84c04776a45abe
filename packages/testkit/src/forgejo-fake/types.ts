// Public shapes of the Forgejo fake: options in, a started server out (testcontainers-style).

/** Token scopes the fake understands; `write:X` implies `read:X` as in Forgejo (models/auth/access_token_scope.go). */
export type FakeScope =
  | "all"
  | "read:package"
  | "write:package"
  | "read:user"
  | "write:user"
  | "read:organization"
  | "write:organization";

/** Who can see an owner (models/user: visibility); private owners are hidden from anonymous and non-members. */
export type FakeVisibility = "public" | "limited" | "private";

/** A user of the fake with its password and one personal access token. */
export interface FakeUser {
  login: string;
  password: string;
  isAdmin?: boolean;
  /** The PAT, 40 hex characters like Forgejo's. */
  token: string;
  scopes?: FakeScope[];
  visibility?: FakeVisibility;
}

/** Users, orgs and the ROOT_URL; every field optional. */
export interface ForgejoFakeOptions {
  /** Default: one admin user `admin`. Scopes default to write:package, read:user, read:organization. */
  users?: Array<Partial<FakeUser> & { login: string }>;
  /** Org members get write access to the org's packages (a team with the packages unit). */
  orgs?: Array<{ name: string; members: string[]; visibility?: FakeVisibility }>;
  /** ROOT_URL used in the Bearer realm and html_url; default the fake's own url + "/". */
  rootUrl?: string;
}

/** One package version as the REST API lists it, plus the manifest digest for inspection. */
export interface FakeVersionView {
  id: number;
  version: string;
  digest: string;
  createdAt: Date;
}

/** A forced answer for the next matching requests. */
export interface FailNextMatch {
  method: string;
  pathIncludes: string;
}

/** A running fake: where to reach it, how to inspect it, how to stop it. */
export interface StartedForgejoFake {
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  /** 127.0.0.1:<port>, for image references. */
  host: string;
  stop(): Promise<void>;
  /** A configured user, including the generated PAT. */
  user(login: string): FakeUser;
  /** One more PAT for a user, like `forgejo admin user generate-access-token --scopes`. */
  addToken(login: string, scopes: FakeScope[]): string;
  /** Set the created_at clock for subsequent pushes (seconds resolution like Forgejo). */
  setNow(date: Date): void;
  /** Versions of a package as the REST API would list them (created DESC, id ASC). */
  versions(owner: string, name: string): FakeVersionView[];
  /** Force the next `times` (default 1) matching requests to answer `response` (headers optional). */
  failNext(match: FailNextMatch, response: { status: number; body?: string; headers?: Record<string, string> }, times?: number): void;
  /** Every request received, in order; `path` is the raw request target (still percent-encoded). */
  requests: Array<{ method: string; path: string }>;
}
