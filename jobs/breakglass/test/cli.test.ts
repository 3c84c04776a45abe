// The built CLI as a child process, as CronJobs and the pipeline run it:
// --help, exit 2 on configuration errors, save + verify end to end, and no
// credential in any output.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, readdir, readFile, truncate } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envTable } from "@regguard/job-config";
import { freePort, pushImage, startRegistry, startScriptedServer, type BuiltImage, type StartedRegistry, useTempDir, jsonLines } from "@regguard/testkit";
import { BREAKGLASS_ENV } from "../src/index.js";
import { PACKAGE_DIR, registryMissing, startCuttingProxy, startS3, S3_BUCKET } from "./helpers.js";

/** Every directory a test here makes is removed after the file (testkit useTempDir). */
const tempDir = useTempDir("bg", afterAll);

const MAIN = join(PACKAGE_DIR, "dist/main.js");

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A clean environment: nothing from the test runner leaks into the job's configuration.
    execFile("node", [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("a save that fails part-way", () => {
  it("an index of 2,000 children with one missing: the first failure ends every outstanding request, and the process exits right after its last line", async () => {
    const digest = (i: number) => `sha256:${createHash("sha256").update(`child-${i}`).digest("hex")}`;
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: Array.from({ length: 2000 }, (_, i) => ({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: digest(i),
        size: 500,
        platform: { os: "linux", architecture: `arch${i}` },
      })),
    };
    const registry = await startScriptedServer((req) => {
      if (req.path.endsWith("/manifests/v1")) return { headers: { "content-type": index.mediaType }, body: index };
      if (req.path.endsWith(`/manifests/${digest(0)}`)) return { status: 404, body: { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] } };
      // Every other child is slow and then fails, so retries would keep a process busy for minutes.
      return { status: 503, delayMs: 100, body: "busy" };
    });
    const dir = tempDir("bg-fail");
    try {
      const started = Date.now();
      const r = await cli(["save"], { IMAGE: `${registry.host}/hostile/app:v1`, DESTINATIONS: dir, PLATFORM: "all", REGISTRY_INSECURE: "true" });
      const seconds = (Date.now() - started) / 1000;
      expect(r.code).toBe(1);
      const lines = jsonLines(r.stdout);
      expect(lines.at(-1)).toMatchObject({ msg: "save finished", ok: false });
      expect(lines.some((l) => l.msg === "internal error: the job stopped before it finished")).toBe(false);
      // Without the abort the queued fetches (2,000, each retried three times) run on for minutes.
      expect(seconds).toBeLessThan(20);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await registry.stop();
    }
  }, 120_000);
});

describe("CLI basics", () => {
  it("--help lists the commands, exit codes and every variable", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const word of ["save", "verify FILE", "restore FILE REF", "2 configuration error", ...BREAKGLASS_ENV.map((s) => s.name)])
      expect(r.stdout).toContain(word);
  });

  it("configuration errors exit 2 with every problem, before any request", async () => {
    const r = await cli(["save"], { ARCHIVE_NAME: "../etc", KEEP: "0" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("IMAGE is required");
    expect(r.stderr).toContain("DESTINATIONS is required");
    expect(r.stderr).toContain("contains a path separator");
    expect(r.stderr).toContain("KEEP must be at least 1");
    expect((await cli([])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["verify"])).code).toBe(2);
    expect((await cli(["save", "--imagee=x"], { IMAGE: "r.example/a:b", DESTINATIONS: "/tmp" })).stderr).toContain("unknown flag --imagee");
  });

  it("credentials written into IMAGE or REGISTRY_URL are never echoed by the configuration error", async () => {
    const r = await cli(["save"], {
      IMAGE: "ci-pusher:image-secret-3@r.example/a:b",
      DESTINATIONS: "/tmp",
      REGISTRY_URL: "https://r.example/?token=url-secret-4",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/IMAGE: invalid image reference "\*\*\*@r\.example\/a:b"/);
    expect(r.stdout + r.stderr).not.toMatch(/image-secret-3|url-secret-4/);
  });

  it("a tag the registry accepts but a file name must not carry is a configuration error, before any request", async () => {
    // Stands where the registry would be: any request at all is a failure.
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = tempDir("cli-tag");
    try {
      for (const tag of ["_build", "v1..2"]) {
        const r = await cli(["save"], { IMAGE: `${host}/viktor/infra-ci:${tag}`, REGISTRY_INSECURE: "true", DESTINATIONS: dir });
        expect(r.code, tag).toBe(2);
        expect(r.stderr, tag).toContain(`IMAGE's tag ${JSON.stringify(tag)}`);
        expect(r.stderr, tag).toContain("the tag becomes part of the archive file name (infra-ci-<tag>.tar)");
        expect(r.stderr, tag).toContain("save it by digest");
        expect(r.stdout, tag).not.toContain("internal error");
      }
      // Names too long for a file system fail the same way, not at the rename after the transfer.
      const long = await cli(["save"], {
        IMAGE: `${host}/viktor/infra-ci:${"t".repeat(128)}`,
        ARCHIVE_NAME: "n".repeat(128),
        REGISTRY_INSECURE: "true",
        DESTINATIONS: dir,
      });
      expect(long.code).toBe(2);
      expect(long.stderr).toMatch(/too long: its temporary sidecar name would be \d+ bytes/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(requests).toEqual([]);
    // Refused before the transfer: nothing was written, not even a temporary file.
    expect(await readdir(dir)).toEqual([]);
  });

  it("the README's environment table is the schema's", async () => {
    const readme = await readFile(join(PACKAGE_DIR, "README.md"), "utf8");
    expect(readme).toContain(envTable(BREAKGLASS_ENV));
  });
});

if (registryMissing) console.warn(`skipping CLI save/verify: ${registryMissing}`);

describe.skipIf(registryMissing)("CLI save and verify against a real registry", () => {
  let reg: StartedRegistry;
  let img: BuiltImage;
  const password = "cli-secret-Pa55";
  beforeAll(async () => {
    reg = await startRegistry({ auth: "htpasswd", username: "puller", password });
    img = await pushImage({ url: reg.url, username: "puller", password }, "viktor/infra-ci", "deadbeef", { layers: 2, seed: "cli" });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it("save writes every destination it can, logs JSON lines without the password, exits 1 when one failed", async () => {
    const dir = tempDir("cli");
    const env = {
      IMAGE: `${reg.host}/viktor/infra-ci:deadbeef`,
      REGISTRY_INSECURE: "true",
      REGISTRY_USERNAME: "puller",
      REGISTRY_PASSWORD: password,
      DESTINATIONS: dir,
    };
    const ok = await cli(["save"], env);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const lines = jsonLines(ok.stdout);
    const last = lines.at(-1) as { msg: string; ok: boolean; digest: string; file: string };
    expect([last.msg, last.ok, last.digest, last.file]).toEqual(["save finished", true, img.digest, "infra-ci-deadbeef.tar"]);
    expect(ok.stdout).not.toContain(password);

    const partly = await cli(["save"], { ...env, DESTINATIONS: `${dir},${join(dir, "missing")}` });
    expect(partly.code).toBe(1);
    expect(jsonLines(partly.stdout).some((l) => l.msg === "destination failed; the previous archive and latest there are unchanged")).toBe(true);

    const unauthorized = await cli(["save"], { ...env, REGISTRY_PASSWORD: "wrong-pass-xyz" });
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stdout).toMatch(/401/);
    expect(unauthorized.stdout + unauthorized.stderr).not.toContain("wrong-pass-xyz");

    const file = join(dir, "infra-ci-deadbeef.tar");
    const verified = await cli(["verify", file]);
    expect(verified.code).toBe(0);
    expect(jsonLines(verified.stdout)[0]).toMatchObject({ msg: "archive verified", sidecar: "match" });
    const viaLatest = await cli(["verify", join(dir, "infra-ci-latest.tar")]);
    expect(viaLatest.code).toBe(0);
    expect(jsonLines(viaLatest.stdout)[0]).toMatchObject({ msg: "archive verified", sidecar: "match" });

    const broken = join(dir, "broken.tar");
    await copyFile(file, broken);
    await truncate(broken, 3000);
    const bad = await cli(["verify", broken]);
    expect(bad.code).toBe(1);
    expect(jsonLines(bad.stdout)[0]).toMatchObject({ msg: "verification failed", code: "BREAKGLASS_ARCHIVE_INVALID" });
  });

  it("a failing S3 save never prints the S3 secret access key", async () => {
    const s3 = await startS3();
    const secret = "s3-Secret-never-printed-7f3a9c";
    const base = {
      IMAGE: `${reg.host}/viktor/infra-ci:deadbeef`,
      REGISTRY_INSECURE: "true",
      REGISTRY_USERNAME: "puller",
      REGISTRY_PASSWORD: password,
      DESTINATIONS: `s3://${S3_BUCKET}/cli`,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: secret,
    };
    try {
      // s3rver checks the access key id but not SigV4 signatures, so the refusal comes from an unknown key id.
      const cases: Array<[string, Record<string, string>, RegExp]> = [
        ["the store refuses the credentials", { S3_ACCESS_KEY_ID: "AKIAUNKNOWNKEY" }, /HTTP 403 \(access denied/],
        ["no such bucket", { DESTINATIONS: "s3://no-such-bucket/cli" }, /bucket/i],
        ["nothing listening at the endpoint", { S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` }, /ECONNREFUSED|connect/i],
      ];
      for (const [what, extra, why] of cases) {
        const r = await cli(["save"], { ...base, ...extra });
        expect(r.code, what).toBe(1);
        const failed = jsonLines(r.stdout).find((l) => l.msg === "destination failed; the previous archive and latest there are unchanged");
        expect(String(failed?.error), what).toMatch(why);
        for (const out of [r.stdout, r.stderr]) {
          expect(out, what).not.toContain(secret);
          expect(out, what).not.toMatch(/secretAccessKey/i);
        }
      }
    } finally {
      await s3.stop();
    }
  });

  it("SIGTERM mid-layer exits 130 and leaves no temporary file behind", async () => {
    const big = await pushImage({ url: reg.url, username: "puller", password }, "viktor/infra-ci", "big", {
      layers: 1,
      layerSize: 6 * 1024 * 1024,
      seed: "cli-big",
    });
    const proxy = await startCuttingProxy(reg.url, new RegExp(`/blobs/${big.layers[0]?.digest}$`), 1024 * 1024);
    const dir = tempDir("sigterm");
    try {
      const child = spawn("node", [MAIN, "save"], {
        env: {
          PATH: process.env.PATH ?? "",
          IMAGE: `${reg.host}/viktor/infra-ci:big`,
          REGISTRY_URL: proxy.url,
          REGISTRY_USERNAME: "puller",
          REGISTRY_PASSWORD: password,
          DESTINATIONS: dir,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
      const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
      await proxy.cut;
      child.kill("SIGTERM");
      expect(await exited).toBe(130);
      expect(stdout).toContain("received SIGTERM");
      expect(await readdir(dir)).toEqual([]);
    } finally {
      proxy.release();
      await proxy.stop();
    }
  });
});
