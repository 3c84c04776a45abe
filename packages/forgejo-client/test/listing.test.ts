// listContainerVersions against the Forgejo fake: every page, X-Total-Count cross-check, fields.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedForgejoFake } from "@regguard/testkit";
import { ForgejoProtocolError, ForgejoTotalCountMismatchError, PAGE_LIMIT } from "../src/index.js";
import { clientFor, OWNER, pushTags, startCast } from "./helpers.js";

describe("listContainerVersions", () => {
  let fake: StartedForgejoFake;
  const tags = Array.from({ length: 120 }, (_, i) => `v${String(i).padStart(3, "0")}`);
  beforeAll(async () => {
    fake = await startCast();
    fake.setNow(new Date("2024-06-01T00:00:00Z"));
    await pushTags(fake, OWNER, `${OWNER}/app`, tags);
    fake.setNow(new Date("2024-06-02T00:00:00Z"));
    await pushTags(fake, OWNER, `${OWNER}/team/web`, ["Latest"]);
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it("reads 121 versions over 3 pages of 50 plus the empty page that ends it", async () => {
    const start = fake.requests.length;
    const versions = await clientFor(fake, OWNER).listContainerVersions(OWNER);
    expect(versions).toHaveLength(121);
    expect(new Set(versions.map((v) => v.id)).size).toBe(121);
    const pages = fake.requests.slice(start).map((r) => new URL(r.path, fake.url).searchParams);
    expect(pages.map((q) => [q.get("page"), q.get("limit"), q.get("type")])).toEqual([
      ["1", String(PAGE_LIMIT), "container"],
      ["2", String(PAGE_LIMIT), "container"],
      ["3", String(PAGE_LIMIT), "container"],
      ["4", String(PAGE_LIMIT), "container"],
    ]);
  });

  it("returns ContainerVersion rows: newest first, names lower-cased, `/` kept in names", async () => {
    const versions = await clientFor(fake, OWNER).listContainerVersions(OWNER);
    expect(versions[0]).toEqual({ id: expect.any(Number), name: "team/web", version: "latest", createdAt: new Date("2024-06-02T00:00:00Z"), owner: OWNER });
    expect(versions.slice(1).every((v) => v.name === "app" && v.createdAt.getTime() === Date.parse("2024-06-01T00:00:00Z"))).toBe(true);
    // Same second: Forgejo v11 orders ties by id ascending, i.e. push order.
    expect(versions.slice(1).map((v) => v.version)).toEqual(tags);
    expect(await clientFor(fake, OWNER).listContainerVersions(OWNER, { q: "TEAM" })).toHaveLength(1);
  });

  it("an empty owner is an empty list after one request", async () => {
    const start = fake.requests.length;
    expect(await clientFor(fake, OWNER).listContainerVersions("mallory")).toEqual([]);
    expect(fake.requests.length - start).toBe(1);
  });

  it("X-Total-Count that changes between pages is a typed mismatch error", async () => {
    fake.failNext({ method: "GET", pathIncludes: "page=2" }, { status: 200, body: "[]", headers: { "X-Total-Count": "119" } });
    const err = await clientFor(fake, OWNER)
      .listContainerVersions(OWNER)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgejoTotalCountMismatchError);
    expect(err).toMatchObject({ code: "FORGEJO_TOTAL_COUNT_MISMATCH", expected: 121, received: 50 });
  });

  it("pages that stop short of X-Total-Count are a mismatch, not a shorter list", async () => {
    fake.failNext({ method: "GET", pathIncludes: "page=3" }, { status: 200, body: "[]", headers: { "X-Total-Count": "121" } });
    const err = await clientFor(fake, OWNER)
      .listContainerVersions(OWNER)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FORGEJO_TOTAL_COUNT_MISMATCH", expected: 121, received: 100 });
  });

  it("a missing X-Total-Count or a non-JSON page is a protocol error", async () => {
    fake.failNext({ method: "GET", pathIncludes: "page=1" }, { status: 200, body: "[]" });
    await expect(clientFor(fake, OWNER).listContainerVersions(OWNER)).rejects.toThrow(/X-Total-Count is missing/);
    fake.failNext({ method: "GET", pathIncludes: "page=1" }, { status: 200, body: "<html>", headers: { "X-Total-Count": "1" } });
    const err = await clientFor(fake, OWNER)
      .listContainerVersions(OWNER)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgejoProtocolError);
    expect(err).toMatchObject({ code: "FORGEJO_PROTOCOL" });
  });
});
