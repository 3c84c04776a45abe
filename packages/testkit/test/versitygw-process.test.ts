// The real S3 server (versitygw) as a process: where start puts it, that it refuses anonymous
// requests, that its keys are not on its command line, and that stop leaves no process and no data.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { request } from "undici";
import { skipReasonOutsideCI, startVersityGw, versityGwBuild, versityGwMissingReason } from "../src/index.js";

const build = versityGwBuild();
const skip = skipReasonOutsideCI(`real ${build.label} process tests`, versityGwMissingReason(build));

describe("versitygw build", () => {
  it("versityGwMissingReason names the script that builds it when the cache entry is absent", () => {
    const absent = versityGwBuild({ REGGUARD_CACHE: "/nonexistent/regguard-cache" });
    expect(absent.binary).toBe(`/nonexistent/regguard-cache/versitygw/github.com_versity_versitygw@${absent.version}/bin/versitygw`);
    expect(versityGwMissingReason(absent)).toMatch(/is not built .*run scripts\/versitygw\.sh/);
  });
});

describe.skipIf(skip !== undefined)(`real ${build.label} as a process`, () => {
  it("listens on 127.0.0.1, answers an unsigned request 403, keeps its keys off argv; stop leaves no process and no directory", async () => {
    const gw = await startVersityGw();
    let pid = -1;
    try {
      expect(gw.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await request(`${gw.url}/`);
      const body = await res.body.text();
      expect(res.statusCode).toBe(403);
      expect(body).toContain("AccessDenied");
      pid = gw.pid;
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      expect(argv).toContain("127.0.0.1:");
      expect(argv).not.toContain(gw.secretAccessKey);
      expect(existsSync(gw.dataDir)).toBe(true);
    } finally {
      await gw.stop();
    }
    expect(existsSync(gw.dataDir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    await gw.stop(); // twice is fine
  });
});
