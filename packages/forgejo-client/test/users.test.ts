// currentUser, ownerKind, orgMembership and the writeAccess preflight against the fake.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedForgejoFake } from "@regguard/testkit";
import { ForgejoClient, ForgejoForbiddenError, ForgejoNotFoundError } from "../src/index.js";
import { ADMIN, clientFor, ORG, OTHER, OWNER, startCast } from "./helpers.js";

describe("users and write access", () => {
  let fake: StartedForgejoFake;
  beforeAll(async () => {
    fake = await startCast();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it("currentUser is the token's user", async () => {
    expect(await clientFor(fake, OWNER).currentUser()).toEqual({ id: expect.any(Number), login: OWNER, isAdmin: false });
    expect(await clientFor(fake, ADMIN).currentUser()).toMatchObject({ login: ADMIN, isAdmin: true });
  });

  it("a PAT without read:user cannot ask who it is (403)", async () => {
    const client = new ForgejoClient({ baseUrl: fake.url, token: fake.addToken(OWNER, ["write:package"]) });
    await expect(client.currentUser()).rejects.toBeInstanceOf(ForgejoForbiddenError);
  });

  it("ownerKind tells users from orgs; unknown names are NotFound", async () => {
    const c = clientFor(fake, OWNER);
    expect(await c.ownerKind(ORG)).toBe("organization");
    expect(await c.ownerKind(OTHER)).toBe("user");
    await expect(c.ownerKind("nobody")).rejects.toBeInstanceOf(ForgejoNotFoundError);
  });

  it("orgMembership: 204/404 for members, the 302 public-membership detour for others", async () => {
    expect(await clientFor(fake, OWNER).orgMembership(ORG, OWNER)).toBe(true);
    expect(await clientFor(fake, OWNER).orgMembership(ORG, OTHER)).toBe(false);
    expect(await clientFor(fake, OTHER).orgMembership(ORG, OTHER)).toBe(false);
    const before = fake.requests.length;
    expect(await clientFor(fake, OTHER).orgMembership(ORG, OWNER)).toBe(false);
    expect(fake.requests.slice(before).map((r) => r.path)).toEqual([`/api/v1/orgs/${ORG}/members/${OWNER}`, `/api/v1/orgs/${ORG}/public_members/${OWNER}`]);
  });

  it("writeAccess: owner, admin, org member, and the wrong-user token of docs/design.md, R3", async () => {
    expect(await clientFor(fake, OWNER).writeAccess(OWNER)).toMatchObject({ allowed: true, reason: "owner" });
    expect(await clientFor(fake, OWNER).writeAccess(OWNER.toUpperCase())).toMatchObject({ allowed: true, reason: "owner" });
    expect(await clientFor(fake, ADMIN).writeAccess(OWNER)).toMatchObject({ allowed: true, reason: "admin" });
    expect(await clientFor(fake, OWNER).writeAccess(ORG)).toMatchObject({ allowed: true, reason: "org-member" });
    expect(await clientFor(fake, OTHER).writeAccess(OWNER)).toMatchObject({ allowed: false, reason: "no-write-access", user: { login: OTHER } });
    expect(await clientFor(fake, OTHER).writeAccess(ORG)).toMatchObject({ allowed: false, reason: "no-write-access" });
  });
});
