// Public shapes of the Forgejo fake: options in, a started server out (testcontainers-style).
import type { FailNextMatch, FakeRequest } from "../request-rules.js";

export type { FailNextMatch, FakeRequest } from "../request-rules.js";

/** Token scopes the fake understands; `write:X` implies `read:X` as in Forgejo (models/auth/access_token_scope.go). */
export type FakeScope = "all" | "read:package" | "write:package" | "read:user" | "write:user" | "read:organization" | "write:organization";

/** Who can see an owner (models/user: visibility); private owners are hidden from anonymous and non-members. */
export type FakeVisibility = "public" | "limited" | "private";

/** What a team's packages unit grants its members (models/unit: TypePackages; models/perm: AccessMode). */
export type FakeUnitAccess = "none" | "read" | "write";

/**
 * An organization (models/organization: Team, TeamUnit). Forgejo gives package write only to the
 * Owners team and to teams whose packages unit is at write; any other member may only read.
 */
export interface FakeOrg {
  name: string;
  /** Members of the Owners team: owner access to the org's packages (an org's creator is one). */
  owners?: string[];
  /** Members whose teams grant no package write: they see and pull, a push or delete is refused. */
  members?: string[];
  /** Teams modelled by their packages unit only. */
  teams?: Array<{ name: string; members: string[]; packages: FakeUnitAccess }>;
  visibility?: FakeVisibility;
}

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
  /** Organizations; only owners and teams with the packages unit at write may push or delete. */
  orgs?: FakeOrg[];
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
  /**
   * Run `hook` when the next `times` (default 1) matching requests arrive, before the fake answers
   * them (they wait for it): lets a test act inside a window such as "after the re-list, before
   * this DELETE". A hook that throws makes that request answer 500 with the error's message.
   */
  beforeNext(match: FailNextMatch, hook: (request: FakeRequest) => Promise<void> | void, times?: number): void;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /**
   * Remove a manifest's stored content while its rows stay: what Forgejo serves as 404
   * MANIFEST_UNKNOWN for a listed tag (gitea#19586, workaroundGetContainerBlob).
   */
  dropManifestContent(sha256Hex: string): void;
}
