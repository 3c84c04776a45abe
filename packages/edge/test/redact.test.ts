import { describe, expect, it } from "vitest";
import { redactText, redactUrl } from "../src/index.js";

describe("redactUrl", () => {
  it("drops userinfo and masks every query value not on the allow-list, whatever its name", () => {
    expect(redactUrl("https://user:hunter2@registry.example/v2/_catalog?n=100&last=a%2Fb&token=abc&X-Amz-Signature=def&Sig=x")).toBe(
      "https://registry.example/v2/_catalog?n=100&last=a%2Fb&token=***&X-Amz-Signature=***&Sig=***",
    );
  });

  it("shows the paging and upload keys the APIs use, in any case", () => {
    expect(redactUrl("http://f.example/api/v1/packages/viktor?type=container&PAGE=2&limit=50&q=app")).toBe(
      "http://f.example/api/v1/packages/viktor?type=container&PAGE=2&limit=50&q=app",
    );
    expect(redactUrl("http://r.example/v2/a/blobs/uploads/?mount=sha256%3Aab&from=b")).toBe("http://r.example/v2/a/blobs/uploads/?mount=sha256%3Aab&from=b");
  });

  it("masks every value when told to show none (a Pushgateway takes no query)", () => {
    expect(redactUrl("http://pg.example:9091/?n=1&auth=secret", new Set())).toBe("http://pg.example:9091/?n=***&auth=***");
  });

  it("still hides userinfo in text that is not a URL", () => {
    expect(redactUrl("not a url but has https://u:p@host/x")).toBe("not a url but has https://***@host/x");
  });
});

describe("redactText", () => {
  it("replaces every userinfo in free text", () => {
    expect(redactText("from s3://key:secret@bucket/x to https://a@b.example/")).toBe("from s3://***@bucket/x to https://***@b.example/");
  });
});
