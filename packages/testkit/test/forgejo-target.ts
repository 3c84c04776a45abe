// What the contract suite runs against: a base URL and the users it needs, whether the server is
// the in-process fake or a real Forgejo container.
import { startForgejoFake, type StartedForgejoFake } from "../src/forgejo-fake/index.js";

export interface ContractUser {
  login: string;
  password: string;
  /** PAT with write:package, read:user, read:organization. */
  token: string;
}

/** Which server answers: the in-process fake, or the real build (forgejo.pin says Forgejo or Gitea). */
export type ContractFlavour = "fake" | "forgejo" | "gitea";

export interface ContractTarget {
  url: string;
  flavour: ContractFlavour;
  /** Package owner used by most cases; not an admin. */
  owner: ContractUser;
  /** A PAT of `owner` with read:package only. */
  ownerReadOnlyToken: string;
  /** Another non-admin user, not in `org`. */
  other: ContractUser;
  /** An organization with `owner` in its Owners team (its creator, on a real Forgejo). */
  org: string;
  stop(): Promise<void>;
}

export const OWNER = "viktor";
export const OTHER = "mallory";
export const ORG = "infra";

/** The fake with the same cast a real Forgejo gets: owner (+ a read-only PAT), other, an org. */
export async function startFakeTarget(): Promise<ContractTarget & { fake: StartedForgejoFake }> {
  const fake = await startForgejoFake({
    users: [{ login: OWNER }, { login: OTHER }],
    // A real Forgejo's org is created for `owner` (forgejo-real.ts), which puts it in the Owners team.
    orgs: [{ name: ORG, owners: [OWNER] }],
  });
  const u = (login: string): ContractUser => {
    const f = fake.user(login);
    return { login: f.login, password: f.password, token: f.token };
  };
  return {
    url: fake.url,
    flavour: "fake",
    owner: u(OWNER),
    ownerReadOnlyToken: fake.addToken(OWNER, ["read:package"]),
    other: u(OTHER),
    org: ORG,
    stop: () => fake.stop(),
    fake,
  };
}
