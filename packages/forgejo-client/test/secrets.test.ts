// The token never leaves the Authorization header: not in messages, URLs, serialised errors,
// causes, or retry notices, even when the server echoes it back. Options are validated up front.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedForgejoFake } from "@regguard/testkit";
import { ForgejoClient, ForgejoInvalidOptionError, safeUrl, type RetryInfo } from "../src/index.js";
import { clientFor, OTHER, OWNER, pushTags, startCast } from "./helpers.js";

describe("secrets and options", () => {
  let fake: StartedForgejoFake;
  beforeAll(async () => {
    fake = await startCast();
    await pushTags(fake, OWNER, `${OWNER}/app`, ["v1"]);
  });
  afterAll(async () => {
    await fake?.stop();
  });

  const everything = (e: unknown) =>
    [String(e), inspect(e, { depth: 10 }), JSON.stringify(e), JSON.stringify((e as { cause?: unknown }).cause ?? null)].join("\n");

  it("a 403 error carries no token anywhere", async () => {
    const token = fake.user(OTHER).token;
    const err = await clientFor(fake, OTHER)
      .deleteVersion(OWNER, "app", "v1")
      .catch((e: unknown) => e);
    expect(everything(err)).not.toContain(token);
  });

  it("a server message that echoes the token is scrubbed, in errors and retry notices", async () => {
    const token = fake.user(OWNER).token;
    const notices: RetryInfo[] = [];
    fake.failNext({ method: "GET", pathIncludes: "/api/v1/user" }, { status: 500, body: JSON.stringify({ message: `bad token ${token}` }) }, 3);
    const err = await clientFor(fake, OWNER, { retries: 2, onRetry: (n) => notices.push(n) })
      .currentUser()
      .catch((e: unknown) => e);
    expect(everything(err)).not.toContain(token);
    expect((err as { serverMessage: string }).serverMessage).toBe("bad token <redacted>");
    expect(JSON.stringify(notices)).not.toContain(token);
    expect(notices).toHaveLength(2);
  });

  it("transport and timeout errors carry no token", async () => {
    const token = "f".repeat(40);
    const err = await new ForgejoClient({ baseUrl: "http://127.0.0.1:1", token, retries: 0 }).currentUser().catch((e: unknown) => e);
    expect(everything(err)).not.toContain(token);
  });

  it("options are validated before any request, all problems at once, naming the option", () => {
    const bad = () => new ForgejoClient({ baseUrl: "ftp://x", token: "", timeoutMs: 0, retries: -1 });
    expect(bad).toThrow(ForgejoInvalidOptionError);
    expect(bad).toThrow(/baseUrl must be http.*token must be a non-empty string.*timeoutMs must be a positive integer.*retries must be a non-negative integer/);
    const creds = () => new ForgejoClient({ baseUrl: "http://user:s3cret@127.0.0.1", token: "t" });
    expect(creds).toThrow(/baseUrl must not carry credentials/);
    expect(() => creds()).not.toThrow(/s3cret/);
    expect(() => new ForgejoClient({ baseUrl: fake.url, token: "a b" })).toThrow(/whitespace/);
  });

  it("safeUrl strips userinfo and masks every query value but the API's own paging keys (the shared allow-list, issue 13)", () => {
    expect(safeUrl("http://u:p@h/x?token=abc&page=2&access_token=def&X-Amz-Credential=ghi")).toBe(
      "http://h/x?token=***&page=2&access_token=***&X-Amz-Credential=***",
    );
  });

  it("a baseUrl with a sub-path keeps it", async () => {
    fake.failNext({ method: "GET", pathIncludes: "/forgejo/api/v1/user" }, { status: 404, body: "{}" });
    const err = await new ForgejoClient({ baseUrl: `${fake.url}/forgejo/`, token: fake.user(OWNER).token }).currentUser().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FORGEJO_NOT_FOUND", url: `${fake.url}/forgejo/api/v1/user` });
  });
});
