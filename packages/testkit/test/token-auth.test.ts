// Token mode details: both token JSON shapes work for pushes, bad credentials fail with a typed error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBinary, pushImage, PushFailedError, startRegistry, type StartedRegistry } from "../src/index.js";

const missing = !hasBinary("docker-registry") || !hasBinary("openssl");
if (missing) console.warn("skipping token auth tests: docker-registry or openssl not on PATH");

describe.skipIf(missing)("token auth", () => {
  const regs: StartedRegistry[] = [];
  let tokenOnly: StartedRegistry;
  let accessOnly: StartedRegistry;
  beforeAll(async () => {
    [tokenOnly, accessOnly] = await Promise.all([
      startRegistry({ auth: "token", tokenResponse: "token-only", username: "ci", password: "pw" }),
      startRegistry({ auth: "token", tokenResponse: "access_token-only" }),
    ]);
    regs.push(tokenOnly, accessOnly);
  });
  afterAll(async () => {
    await Promise.all(regs.map((r) => r.stop()));
  });

  it("token-only and access_token-only responses have exactly one field", async () => {
    const a = (await (await fetch(`${tokenOnly.tokenRealm}?service=x`)).json()) as Record<string, unknown>;
    expect(a.token).toBeTypeOf("string");
    expect(a.access_token).toBeUndefined();
    const b = (await (await fetch(`${accessOnly.tokenRealm}?service=x`)).json()) as Record<string, unknown>;
    expect(b.access_token).toBeTypeOf("string");
    expect(b.token).toBeUndefined();
  });

  it("pushes with either shape and counts token requests", async () => {
    for (const reg of [tokenOnly, accessOnly]) {
      const before = reg.tokenRequests;
      const img = await pushImage({ url: reg.url, username: reg.username, password: reg.password }, "lib/x", "v1");
      expect(img.digest).toMatch(/^sha256:/);
      expect(reg.tokenRequests).toBeGreaterThan(before);
    }
    expect(tokenOnly.username).toBe("ci");
  });

  it("an anonymous token grants nothing: push fails with PushFailedError 401", async () => {
    const err = await pushImage({ url: tokenOnly.url }, "lib/x", "v2").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushFailedError);
    expect((err as PushFailedError).status).toBe(401);
    expect((err as PushFailedError).code).toBe("PUSH_FAILED");
  });

  it("wrong credentials fail at the token server", async () => {
    const err = await pushImage({ url: accessOnly.url, username: "tester", password: "wrong" }, "lib/x", "v1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushFailedError);
    expect(String(err)).not.toContain("wrong");
  });
});
