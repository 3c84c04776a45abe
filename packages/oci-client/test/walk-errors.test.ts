// The walk when the listings fail or filter, against a scripted registry (issue 16: walk.ts's
// uncovered paths): a catalog that cannot be read ends the walk with catalog_error and no
// repository; a tag list that cannot be read is a finding for that repository, the next one is
// still walked; REPOSITORY_PREFIX reaches the catalog and nothing outside it is walked.
import { describe, expect, it } from "vitest";
import { ForbiddenError, walkRegistry, type WalkEvent, type WalkOptions } from "../src/index.js";
import { client, serve } from "./scripted.js";

async function walk(url: string, opts: WalkOptions = {}): Promise<WalkEvent[]> {
  const c = client(url);
  const out: WalkEvent[] = [];
  try {
    for await (const e of walkRegistry(c, { checkBlobs: false, ...opts })) out.push(e);
  } finally {
    await c.close();
  }
  return out;
}

const forbidden = { status: 403, body: { errors: [{ code: "DENIED" }] } };

describe("walkRegistry when listings fail or filter", () => {
  it("a catalog that cannot be read: one catalog_error with the typed error, no repository walked", async () => {
    const s = await serve(() => forbidden);
    const events = await walk(s.url);
    expect(events.map((e) => e.type)).toEqual(["catalog_error"]);
    const last = events[0] as Extract<WalkEvent, { type: "catalog_error" }>;
    expect(last.error).toBeInstanceOf(ForbiddenError);
  });

  it("a tag list that cannot be read is a request_error finding for its repository; the other repository is still walked", async () => {
    const s = await serve((req) => {
      if (req.path.startsWith("/v2/_catalog")) return { status: 200, body: { repositories: ["viktor/locked", "viktor/empty"] } };
      if (req.path.startsWith("/v2/viktor/locked/tags/list")) return forbidden;
      if (req.path.startsWith("/v2/viktor/empty/tags/list")) return { status: 200, body: { name: "viktor/empty", tags: [] } };
      return { status: 404, body: { errors: [{ code: "NAME_UNKNOWN" }] } };
    });
    const events = await walk(s.url);
    expect(events.filter((e) => e.type === "repository").map((e) => (e as { repository: string }).repository)).toEqual(["viktor/locked", "viktor/empty"]);
    const found = events.flatMap((e) => (e.type === "finding" ? [e.finding] : []));
    expect(found).toEqual([expect.objectContaining({ kind: "request_error", repository: "viktor/locked", status: 403, registryCode: "DENIED" })]);
    expect(events.some((e) => e.type === "catalog_error")).toBe(false);
  });

  it("a prefix walks only the repositories under it, whatever the catalog lists", async () => {
    const s = await serve((req) => {
      if (req.path.startsWith("/v2/_catalog")) return { status: 200, body: { repositories: ["other/app", "viktor/app", "viktorx/app"] } };
      if (req.path.includes("/tags/list")) return { status: 200, body: { tags: [] } };
      return { status: 404, body: "" };
    });
    const events = await walk(s.url, { prefix: "viktor/" });
    expect(events.filter((e) => e.type === "repository").map((e) => (e as { repository: string }).repository)).toEqual(["viktor/app"]);
    expect(s.requests.filter((r) => r.path.includes("/tags/list")).map((r) => r.path.split("?")[0])).toEqual(["/v2/viktor/app/tags/list"]);
  });
});
