import { describe, expect, it } from "vitest";
import { checkGuard } from "./guard.js";
import type { Decision, PackagePlan } from "./model.js";

const pkg = (name: string, keep: number, del: number): PackagePlan => ({
  name,
  repository: `viktor/${name}`,
  frozen: [],
  broken: [],
  gone: [],
  decisions: [
    ...Array.from({ length: keep }, (_, i): Decision => ({ id: i, version: `k${i}`, createdAt: 0, action: "keep", reason: { kind: "newest", rank: i + 1 } })),
    ...Array.from({ length: del }, (_, i): Decision => ({ id: 100 + i, version: `d${i}`, createdAt: 0, action: "delete", reason: { kind: "delete" } })),
  ],
});

describe("checkGuard", () => {
  it("passes at exactly the limits", () => {
    expect(checkGuard([pkg("a", 1, 1)], { maxDeletePercent: 50, maxDeletes: 1, force: false })).toEqual({ tripped: [], forced: false, allowed: true });
  });

  it("trips per package over MAX_DELETE_PERCENT and in total over MAX_DELETES (the 478 -> 161 night)", () => {
    const r = checkGuard([pkg("a", 161, 317), pkg("b", 9, 1)], { maxDeletePercent: 50, maxDeletes: 200, force: false });
    expect(r.allowed).toBe(false);
    expect(r.tripped).toEqual(["a: 317 of 478 versions (66.3%) exceeds MAX_DELETE_PERCENT=50", "318 deletions in total exceeds MAX_DELETES=200"]);
  });

  it("FORCE applies anyway but still reports", () => {
    const r = checkGuard([pkg("a", 0, 3)], { maxDeletePercent: 50, maxDeletes: 200, force: true });
    expect(r).toMatchObject({ allowed: true, forced: true });
    expect(r.tripped).toHaveLength(1);
  });
});
