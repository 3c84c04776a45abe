// The ways this retention must fail closed when Forgejo misbehaves on cue (the fake's
// fault injection): refused deletes, a 5xx preflight, odd probe answers, an unresolvable
// kept tag, a REGISTRY_URL that is another registry. The cases that need no fault
// injection run on the fake and on the real server: replays.test.ts.
import { afterEach, describe, expect, it } from "vitest";
import { pushImage, pushIndex } from "@regguard/testkit";
import { at, liveEnv, names, OWNER, requests, runJob, startFake, target, versionDeletes, threeTags, type FakeServer } from "./harness.js";

let fake: FakeServer;
afterEach(async () => fake?.stop());

describe("token and permissions", () => {
  it("a DELETE answered 403 is a counted failure: exit 1, the rest not attempted, nothing broken", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.failNext(
      { method: "DELETE", pathIncludes: "/api/v1/packages/viktor/container/svc/" },
      { status: 403, body: '{"message":"user should have specific permission or be a site admin"}' },
    );
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", CONCURRENCY: "1" }));
    expect(code).toBe(1);
    const failed = lines.filter((l) => l.msg === "delete failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.status).toBe(403);
    expect(lines.find((l) => l.msg === "applied")).toMatchObject({ failed: 1, "not-attempted": 1, deleted: 0 });
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });
});

describe("preflight: the token's scope and Forgejo's reachability", () => {
  it("an org member without package write passes the preflight (the probe sees only the scope); the first live delete is refused", async () => {
    fake = await startFake({ orgs: [{ name: "infra", owners: ["root"], members: [OWNER] }] });
    const admin = target(fake, "root");
    for (const [i, tag] of ["a", "b"].entries()) {
      at(fake, `2024-05-0${i + 1}T00:00:00Z`);
      await pushImage(admin, "infra/tool", tag);
    }
    const dry = await runJob(liveEnv(fake, { FORGEJO_OWNER: "infra", DRY_RUN: "true", KEEP_LAST_N: "1" }));
    expect(dry.code).toBe(0);
    expect(dry.lines.find((l) => l.msg.startsWith("preflight:"))).toMatchObject({ as: "org-member" });
    const live = await runJob(liveEnv(fake, { FORGEJO_OWNER: "infra", KEEP_LAST_N: "1" }));
    expect(live.code).toBe(1);
    expect(live.lines.find((l) => l.msg === "delete failed")).toMatchObject({ status: 403, version: "a" });
    expect(live.lines.some((l) => l.msg === "stopped deleting after an authorization failure")).toBe(true);
    expect(
      fake
        .versions("infra", "tool")
        .map((v) => v.version)
        .sort(),
    ).toEqual(["a", "b"]);
  });

  it("Forgejo answering 5xx to the preflight after retries is exit 2, nothing listed", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.requests.length = 0;
    // 1 try + 3 retries of the forgejo-client.
    fake.failNext({ method: "GET", pathIncludes: "/api/v1/user" }, { status: 503, body: "maintenance" }, 4);
    const { code, lines } = await runJob(liveEnv(fake, { DRY_RUN: "true" }));
    expect(code).toBe(2);
    // Each retry is a warning an operator sees while it happens, with the attempt and the answer.
    expect(lines.filter((l) => l.msg === "retrying a Forgejo request").map((l) => [l.level, l.method, l.attempt])).toEqual([
      ["warn", "GET", 1],
      ["warn", "GET", 2],
      ["warn", "GET", 3],
    ]);
    expect(lines.find((l) => l.level === "error" && l.msg.startsWith("cannot ask Forgejo who the token is"))).toMatchObject({
      msg: expect.stringMatching(/HTTP 503/),
      code: "RETENTION_FORGEJO_UNAVAILABLE",
    });
    expect(requests(fake, "GET", "/api/v1/packages/")).toEqual([]);
    expect(requests(fake, "DELETE")).toEqual([]);
  });

  it("an unexpected answer to the live run's probe is a preflight error (exit 2), a 5xx after retries too", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.failNext({ method: "DELETE", pathIncludes: "/container/regguard-preflight-" }, { status: 400, body: '{"message":"odd proxy"}' });
    const odd = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(odd.code).toBe(2);
    expect(odd.lines.find((l) => l.level === "error" && /cannot tell whether FORGEJO_TOKEN may delete.*HTTP 400/.test(l.msg))?.code).toBe(
      "RETENTION_PREFLIGHT_PROBE",
    );
    fake.failNext({ method: "DELETE", pathIncludes: "/container/regguard-preflight-" }, { status: 502, body: "bad gateway" }, 4);
    const down = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(down.code).toBe(2);
    expect(down.lines.some((l) => l.level === "error" && /cannot ask Forgejo whether the token may delete.*HTTP 502/.test(l.msg))).toBe(true);
    expect(versionDeletes(fake)).toEqual([]);
    expect(names(fake, "svc")).toEqual(["a", "b", "c"]);
  });
});

describe("preflight refusals are named for what they are (exit 2, nothing listed)", () => {
  const refused = async (rule?: { method: string; pathIncludes: string }, answer?: { status: number; body: string }, env: Record<string, string> = {}) => {
    fake = await startFake();
    await threeTags(fake);
    fake.requests.length = 0;
    if (rule && answer) fake.failNext(rule, answer);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", ...env }));
    expect(code).toBe(2);
    expect(requests(fake, "GET", "/api/v1/packages/")).toEqual([]);
    expect(versionDeletes(fake)).toEqual([]);
    return lines.find((l) => l.level === "error");
  };

  it("a token Forgejo does not accept (401)", async () => {
    const line = await refused({ method: "GET", pathIncludes: "/api/v1/user" }, { status: 401, body: '{"message":"token is required"}' });
    expect(line?.msg).toMatch(/^FORGEJO_TOKEN is not accepted by Forgejo \(401\): .*token is required/);
    expect(line?.code).toBe("RETENTION_PREFLIGHT_IDENTITY");
  });

  it("a token that may not read its user (403)", async () => {
    const line = await refused({ method: "GET", pathIncludes: "/api/v1/user" }, { status: 403, body: '{"message":"token does not have scope read:user"}' });
    expect(line?.msg).toMatch(/^FORGEJO_TOKEN may not read its user or the owner \(403; it needs read:user.*scope read:user/);
    expect(line?.code).toBe("RETENTION_PREFLIGHT_IDENTITY");
  });

  it("a token of another user, not an admin and not in an organisation of the owner", async () => {
    fake = await startFake();
    await threeTags(fake);
    fake.requests.length = 0;
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1", FORGEJO_TOKEN: fake.user("stranger").token }));
    expect(code).toBe(2);
    expect(lines.find((l) => l.level === "error")).toMatchObject({
      msg: expect.stringMatching(/^FORGEJO_TOKEN belongs to stranger, who is not viktor, not an admin and not a member .*Use a token of viktor\.$/),
      code: "RETENTION_PREFLIGHT_ACCESS",
    });
    expect(versionDeletes(fake)).toEqual([]);
  });

  it("an owner that does not exist (404)", async () => {
    const line = await refused(undefined, undefined, { FORGEJO_OWNER: "nobody" });
    expect(line?.msg).toMatch(/^FORGEJO_OWNER nobody does not exist on Forgejo: .*HTTP 404/);
    expect(line?.code).toBe("RETENTION_PREFLIGHT_OWNER");
  });

  it("a live run's probe answered 403: write:package is missing, with Forgejo's message", async () => {
    const line = await refused(
      { method: "DELETE", pathIncludes: "/container/regguard-preflight-" },
      { status: 403, body: '{"message":"token does not have at least one of required scope(s): [write:package]"}' },
    );
    expect(line?.msg).toMatch(/^FORGEJO_TOKEN lacks write:package; every delete would be refused \(403: .*required scope/);
    expect(line?.code).toBe("RETENTION_PREFLIGHT_SCOPE");
  });
});

describe("fail closed", () => {
  it("a kept tag that cannot be resolved (HTTP 500) freezes its package only; exit 1", async () => {
    fake = await startFake();
    await threeTags(fake, "flaky");
    await threeTags(fake, "fine");
    // 1 try + 3 retries of the oci-client, all refused.
    fake.failNext({ method: "GET", pathIncludes: "/v2/viktor/flaky/manifests/c" }, { status: 500, body: "boom" }, 4);
    const { code, lines } = await runJob(liveEnv(fake, { KEEP_LAST_N: "1" }));
    expect(code).toBe(1);
    expect(lines.some((l) => l.msg.startsWith("package frozen") && l.package === "flaky")).toBe(true);
    expect(names(fake, "flaky")).toEqual(["a", "b", "c"]);
    expect(names(fake, "fine")).toEqual(["c"]);
  });

  it("a REGISTRY_URL that is not this Forgejo freezes every package instead of deleting children blind", async () => {
    fake = await startFake();
    // Another registry that accepts the same credentials but holds other images.
    const other = await startFake({ users: [{ login: OWNER, token: fake.user(OWNER).token }] });
    try {
      at(fake, "2024-01-01T00:00:00Z");
      await pushIndex(target(fake), "viktor/site", "latest");
      const { code, lines } = await runJob(liveEnv(fake, { REGISTRY_URL: other.url, FORGEJO_USER: OWNER }));
      expect(code).toBe(1);
      expect(JSON.stringify(lines.filter((l) => l.msg.startsWith("package frozen")))).toMatch(/REGISTRY_URL/);
      expect(versionDeletes(fake)).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});
