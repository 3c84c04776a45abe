// Pure units for path segments.
import { describe, expect, it } from "vitest";
import { segment, versionPath } from "./paths.js";

describe("paths", () => {
  it("encodes / as %2F and keeps : readable", () => {
    expect(versionPath("viktor", "team/app", "sha256:abc")).toBe("/api/v1/packages/viktor/container/team%2Fapp/sha256:abc");
    expect(segment("a b?#")).toBe("a%20b%3F%23");
  });

  it("refuses segments that would change the path", () => {
    for (const s of ["", ".", ".."]) expect(() => segment(s)).toThrow(RangeError);
  });
});
