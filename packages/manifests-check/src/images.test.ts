import { describe, expect, it } from "vitest";
import { jobOfImage } from "./images.js";

describe("jobOfImage", () => {
  it("accepts pinned job images", () => {
    expect(jobOfImage("forgejo.viktorbarzin.me/viktor/regguard-retention:0.1.0")).toEqual({ job: "retention" });
    expect(jobOfImage(`forgejo.viktorbarzin.me/viktor/regguard-integrity-probe@sha256:${"a".repeat(64)}`)).toEqual({ job: "integrity-probe" });
  });

  it.each([
    ["alpine:3.19", /not one of this repository's job images/],
    ["forgejo.viktorbarzin.me/viktor/regguard-retention", /pinned/],
    ["forgejo.viktorbarzin.me/viktor/regguard-retention:latest", /pinned/],
    ["forgejo.viktorbarzin.me/viktor/regguard-cleanup:1.0.0", /not a job of this repository/],
  ])("refuses %s", (image, why) => {
    const r = jobOfImage(image);
    expect("problem" in r && r.problem).toMatch(why);
  });
});
