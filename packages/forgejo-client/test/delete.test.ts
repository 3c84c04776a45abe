// deleteVersion and listVersionFiles against the fake: outcomes, %2F names, permission errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedForgejoFake } from "@regguard/testkit";
import {
  DELETE_PROBE_PREFIX,
  ForgejoClient,
  ForgejoForbiddenError,
  ForgejoHttpStatusError,
  ForgejoNotFoundError,
  ForgejoUnauthorizedError,
} from "../src/index.js";
import { clientFor, ORG, OTHER, OWNER, pushTags, startCast } from "./helpers.js";

describe("deleteVersion", () => {
  let fake: StartedForgejoFake;
  beforeAll(async () => {
    fake = await startCast();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it("204 is deleted, 404 is already-gone; a name with / travels as %2F", async () => {
    await pushTags(fake, OWNER, `${OWNER}/team/app`, ["v1", "v2"]);
    const client = clientFor(fake, OWNER);
    expect(await client.deleteVersion(OWNER, "team/app", "v1")).toBe("deleted");
    expect(fake.requests.at(-1)).toEqual({ method: "DELETE", path: `/api/v1/packages/${OWNER}/container/team%2Fapp/v1` });
    expect(await client.deleteVersion(OWNER, "team/app", "v1")).toBe("already-gone");
    expect(fake.versions(OWNER, "team/app").map((v) => v.version)).toEqual(["v2"]);
  });

  it("an untagged sha256: version is addressed by its digest", async () => {
    const img = await pushTags(fake, OWNER, `${OWNER}/digests`, ["v1"]);
    const auth = `Basic ${Buffer.from(`${OWNER}:${fake.user(OWNER).token}`).toString("base64")}`;
    const put = await fetch(`${fake.url}/v2/${OWNER}/digests/manifests/${img.digest}`, {
      method: "PUT",
      headers: { authorization: auth, "content-type": img.mediaType },
      body: Buffer.from(img.manifest),
    });
    expect(put.status).toBe(201);
    expect(await clientFor(fake, OWNER).deleteVersion(OWNER, "digests", img.digest)).toBe("deleted");
    expect(fake.requests.at(-1)!.path).toBe(`/api/v1/packages/${OWNER}/container/digests/${img.digest}`);
    expect(fake.versions(OWNER, "digests").map((v) => v.version)).toEqual(["v1"]);
  });

  it("another user's token: ForgejoForbiddenError with status, method and a clean URL", async () => {
    await pushTags(fake, OWNER, `${OWNER}/guarded`, ["v1"]);
    const err = await clientFor(fake, OTHER)
      .deleteVersion(OWNER, "guarded", "v1")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgejoForbiddenError);
    expect(err).toMatchObject({ code: "FORGEJO_FORBIDDEN", status: 403, method: "DELETE", url: `${fake.url}/api/v1/packages/${OWNER}/container/guarded/v1` });
    expect((err as Error).message).toContain("user should have specific permission");
    expect(fake.versions(OWNER, "guarded")).toHaveLength(1);
  });

  it("a read-only token is forbidden; an unknown token is unauthorized", async () => {
    await pushTags(fake, OWNER, `${OWNER}/ro`, ["v1"]);
    const ro = fake.addToken(OWNER, ["read:package"]);
    const readOnly = new ForgejoClient({ baseUrl: fake.url, token: ro });
    await expect(readOnly.deleteVersion(OWNER, "ro", "v1")).rejects.toBeInstanceOf(ForgejoForbiddenError);
    const unknown = new ForgejoClient({ baseUrl: fake.url, token: "0".repeat(40) });
    await expect(unknown.deleteVersion(OWNER, "ro", "v1")).rejects.toBeInstanceOf(ForgejoUnauthorizedError);
    expect(await readOnly.listContainerVersions(OWNER, { q: "ro" })).toHaveLength(1);
  });

  it("an org owner deletes org versions; files and manifestDigest agree with the push", async () => {
    const img = await pushTags(fake, OWNER, `${ORG}/svc`, ["v1"]);
    const client = clientFor(fake, OWNER);
    const files = await client.listVersionFiles(ORG, "svc", "v1");
    expect(files.map((f) => f.name)).toContain("manifest.json");
    expect(await client.manifestDigest(ORG, "svc", "v1")).toBe(img.digest);
    await expect(clientFor(fake, OTHER).deleteVersion(ORG, "svc", "v1")).rejects.toBeInstanceOf(ForgejoForbiddenError);
    expect(await client.deleteVersion(ORG, "svc", "v1")).toBe("deleted");
    await expect(client.listVersionFiles(ORG, "svc", "v1")).rejects.toBeInstanceOf(ForgejoNotFoundError);
  });

  it("probeDeleteScope: 404 with write:package, 403 without, for a fresh random name; nothing is deleted", async () => {
    await pushTags(fake, OWNER, `${OWNER}/probed`, ["v1"]);
    const before = fake.versions(OWNER, "probed");
    const owner = await clientFor(fake, OWNER).probeDeleteScope(OWNER);
    expect(owner).toEqual({ hasWriteScope: true, status: 404, name: expect.stringMatching(/^regguard-preflight-[0-9a-f]{32}$/) });
    expect(fake.requests.at(-1)).toEqual({ method: "DELETE", path: `/api/v1/packages/${OWNER}/container/${owner.name}/probe` });
    const again = await clientFor(fake, OWNER).probeDeleteScope(OWNER);
    expect(again.name).not.toBe(owner.name);
    expect(again.name.startsWith(DELETE_PROBE_PREFIX)).toBe(true);
    const readOnly = new ForgejoClient({ baseUrl: fake.url, token: fake.addToken(OWNER, ["read:package", "read:user"]) });
    expect(await readOnly.probeDeleteScope(OWNER)).toMatchObject({
      hasWriteScope: false,
      status: 403,
      serverMessage: expect.stringContaining("write:package"),
    });
    // Only the scope shows: another user's write token gets the same 404 as the owner's.
    expect(await clientFor(fake, OTHER).probeDeleteScope(OWNER)).toMatchObject({ hasWriteScope: true, status: 404 });
    await expect(new ForgejoClient({ baseUrl: fake.url, token: "0".repeat(40) }).probeDeleteScope(OWNER)).rejects.toBeInstanceOf(ForgejoUnauthorizedError);
    expect(fake.versions(OWNER, "probed")).toEqual(before);
  });

  it("probeDeleteScope: a 5xx after retries throws", async () => {
    fake.failNext({ method: "DELETE", pathIncludes: `/container/${DELETE_PROBE_PREFIX}` }, { status: 502, body: "bad gateway" }, 2);
    const err = await clientFor(fake, OWNER, { retries: 1 })
      .probeDeleteScope(OWNER)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgejoHttpStatusError);
    expect(err).toMatchObject({ status: 502 });
  });
});
