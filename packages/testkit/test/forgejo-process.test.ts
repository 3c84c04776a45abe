// The real server as a process: what start creates, what stop leaves (nothing), how replays date
// versions, and that CI never turns a server that cannot start into a skip.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { forgejoBuild, forgejoMissingReason, inCI, pushImage, skipReasonOutsideCI, startForgejo, startRealReplayServer } from "../src/index.js";
import { listAll, rest } from "./forgejo-raw.js";

const build = forgejoBuild();
const skip = skipReasonOutsideCI(`real ${build.label} process tests`, forgejoMissingReason(build));

describe("CI: a real server that cannot start is a failure, not a skip", () => {
  it("inCI reads CI=true/1 as set and ''/0/false as unset", () => {
    for (const v of ["true", "1", "yes", "TRUE"]) expect(inCI({ CI: v })).toBe(true);
    for (const v of [undefined, "", "0", "false", "False"]) expect(inCI({ CI: v })).toBe(false);
  });

  it("skipReasonOutsideCI: the reason outside CI, undefined (run and fail) inside it", () => {
    expect(skipReasonOutsideCI("x", "not built", { CI: "" })).toBe("not built");
    expect(skipReasonOutsideCI("x", "not built", { CI: "true" })).toBeUndefined();
    expect(skipReasonOutsideCI("x", undefined, { CI: "" })).toBeUndefined();
  });

  it("forgejoMissingReason names the script that builds it when the cache entry is absent", () => {
    const absent = forgejoBuild({ REGGUARD_CACHE: "/nonexistent/regguard-cache" });
    expect(absent.binary.startsWith("/nonexistent/regguard-cache/forgejo/")).toBe(true);
    expect(forgejoMissingReason(absent)).toMatch(/is not built .*run scripts\/forgejo\.sh/);
  });
});

describe.skipIf(skip !== undefined)(`real ${build.label} as a process`, () => {
  it("starts on 127.0.0.1 with an admin, makes users and tokens with its CLI; stop leaves no process and no directory", async () => {
    const server = await startForgejo();
    let pid: number | undefined;
    try {
      console.log(`${build.label} started in ${server.startMs} ms`);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const user = await server.createUser("alice");
      expect((await rest(server.url, user.token).get("/api/v1/user")).json()).toMatchObject({ login: "alice", is_admin: false });
      expect((await rest(server.url, server.admin.token).get("/api/v1/user")).json()).toMatchObject({ is_admin: true });
      const ro = await server.createToken("alice", ["read:package"]);
      expect((await rest(server.url, ro).get("/api/v1/user")).status).toBe(403);
      expect(existsSync(server.dbPath)).toBe(true);
      pid = server.pid;
      expect(() => process.kill(pid!, 0)).not.toThrow();
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dbPath)).toBe(false);
    expect(() => process.kill(pid!, 0)).toThrow();
    await server.stop(); // twice is fine
  });

  it("a replay server dates what was pushed after setNow, as the fake's clock does; versions() reads what is left", async () => {
    const s = await startRealReplayServer({ users: [{ login: "viktor" }] });
    try {
      const t = { url: s.url, username: "viktor", password: s.user("viktor").token };
      s.setNow(new Date("2024-05-01T10:00:00Z"));
      await pushImage(t, "viktor/dated", "old");
      s.setNow(new Date("2024-05-02T10:00:00Z"));
      await pushImage(t, "viktor/dated", "new");
      s.settle?.();
      const rows = await listAll(s.server.url, s.user("viktor").token, "viktor", "dated");
      expect(rows.map((r) => [r.version, r.created_at.replace(/[+-]00:00$|Z$/, "")])).toEqual([
        ["new", "2024-05-02T10:00:00"],
        ["old", "2024-05-01T10:00:00"],
      ]);
      expect(s.versions("viktor", "dated").map((v) => v.version)).toEqual(["new", "old"]);
      // Every request went through the counting proxy.
      expect(s.requests.some((r) => r.method === "PUT" && r.path === "/v2/viktor/dated/manifests/new")).toBe(true);
    } finally {
      await s.stop();
    }
  });
});
