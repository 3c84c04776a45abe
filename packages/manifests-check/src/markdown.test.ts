import { describe, expect, it } from "vitest";
import { anchors, headingAnchor, relativeLinks } from "./markdown.js";

describe("markdown", () => {
  it("derives anchors like Forgejo and GitHub", () => {
    expect(headingAnchor("RegistryManifestIntegrityFailure")).toBe("registrymanifestintegrityfailure");
    expect(headingAnchor("Step 2: the Secret (kyverno)")).toBe("step-2-the-secret-kyverno");
  });

  it("ignores headings and links inside code", () => {
    const md = "# Title\n```sh\n# not a heading\n[x](nope.md)\n```\nSee [a](other.md#part) and `[b](code.md)` and [c](https://x.example/y).\n";
    expect([...anchors(md)]).toEqual(["title"]);
    expect(relativeLinks(md)).toEqual(["other.md#part"]);
  });
});
