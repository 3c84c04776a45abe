// The Dockerfiles are only honest once they are built and run: each job
// image runs as a hardened container (--read-only, non-root, host network)
// against the same real servers as the job tests.
import { readFileSync } from "node:fs";
import { chmod, readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  hasBinary,
  pushImage,
  pushIndex,
  startDockerd,
  startForgejoFake,
  startPushgateway,
  startRegistry,
  type StartedDockerd,
  type StartedForgejoFake,
  type StartedPushgateway,
  type StartedRegistry,
  useTempDir,
  jsonLines,
} from "@regguard/testkit";
import { buildImages, envFlags, hardened, imageTag, JOBS } from "./build.js";

const tempDir = useTempDir("images", afterAll);

const why = !hasBinary("dockerd")
  ? "dockerd is not installed (apt-get install docker.io)"
  : process.getuid?.() !== 0
    ? "starting dockerd needs root"
    : undefined;
if (why) console.warn(`skipping the image tests: ${why}`);

describe.skipIf(why !== undefined)("job images", () => {
  let dockerd: StartedDockerd;
  let registry: StartedRegistry;
  let pushgateway: StartedPushgateway;
  let forgejo: StartedForgejoFake;
  let out: string;

  beforeAll(async () => {
    [dockerd, registry, pushgateway, forgejo] = await Promise.all([
      startDockerd(),
      startRegistry(),
      startPushgateway(),
      startForgejoFake({ users: [{ login: "viktor" }] }),
    ]);
    out = tempDir("out");
    await chmod(out, 0o777);
    await buildImages(dockerd);
  });
  afterAll(async () => {
    await Promise.all([dockerd?.stop(), registry?.stop(), pushgateway?.stop(), forgejo?.stop()]);
  });

  it("every image is non-root, runs node as its entrypoint and carries OCI labels", async () => {
    for (const job of JOBS) {
      const res = await dockerd.docker(["image", "inspect", imageTag(job), "--format", "{{json .Config}}"]);
      expect(res.code, res.stderr).toBe(0);
      const config = JSON.parse(res.stdout) as { User: string; Entrypoint: string[]; Labels: Record<string, string>; Env: string[] };
      // One Dockerfile for every job: what differs comes from the job's package.json.
      const pkg = JSON.parse(readFileSync(new URL(`../../jobs/${job}/package.json`, import.meta.url), "utf8")) as {
        description: string;
        regguard?: { image?: { nodeOptions?: string } };
      };
      expect(config.Labels["org.opencontainers.image.title"]).toBe(`regguard-${job}`);
      expect(config.Labels["org.opencontainers.image.description"]).toBe(pkg.description);
      expect(config.Env).toContain(`NODE_OPTIONS=${pkg.regguard?.image?.nodeOptions ?? ""}`);
      expect(config.User).toMatch(/^(1000|node)/);
      expect(config.Entrypoint[0]).toBe("node");
      expect(config.Labels["org.opencontainers.image.source"]).toBeTruthy();
      expect(config.Labels["org.opencontainers.image.version"]).toBe("0.1.0");
      const help = await dockerd.docker(["run", ...hardened(), imageTag(job), "--help"]);
      expect(help.code, help.stderr).toBe(0);
    }
  });

  it("no image carries a development dependency or the test kit", async () => {
    // pnpm lays every installed package out as node_modules/.pnpm/<name>@<version>:
    // listing that directory lists everything the image could load.
    const list = "const fs=require('fs');for(const d of ['/app/node_modules','/app/node_modules/.pnpm'])for(const e of fs.readdirSync(d))console.log(e)";
    for (const job of JOBS) {
      const res = await dockerd.docker(["run", ...hardened(), "--entrypoint", "node", imageTag(job), "-e", list]);
      expect(res.code, res.stderr).toBe(0);
      const entries = res.stdout.split("\n").filter(Boolean);
      expect(entries, job).toContain("@regguard+oci-client@file+packages+oci-client");
      const dev = entries.filter((e) => /^(vitest|@vitest\+|typescript|turbo|autocannon|s3rver|@regguard\+testkit|@types\+)/.test(e));
      expect(dev, `${job} ships development packages`).toEqual([]);
    }
  });

  it("the probe image walks the registry and pushes its metrics", async () => {
    await pushIndex({ url: registry.url }, "viktor/multi", "latest", { attestations: true, seed: "img-probe" });
    const res = await dockerd.docker([
      "run",
      ...hardened(),
      ...envFlags({ REGISTRY_URL: registry.url, PUSHGATEWAY_URL: pushgateway.url, REGISTRY_INSTANCE: "images-test" }),
      imageTag("integrity-probe"),
    ]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain("Probe complete: 0 failures");
    const series = await pushgateway.series();
    const indexes = series.find((s) => s.name === "registry_manifest_integrity_indexes_checked" && s.labels.instance === "images-test");
    expect(indexes?.value).toBe(1);
  });

  it("the retention image prints its dry-run plan", async () => {
    const user = forgejo.user("viktor");
    const target = { url: forgejo.url, username: "viktor", password: user.token };
    // One day apart, so "newest" is unambiguous.
    const day = (n: number) => forgejo.setNow(new Date(Date.UTC(2024, 4, n)));
    for (let i = 1; i <= 3; i++) {
      day(i);
      await pushImage(target, "viktor/app", `v${i}`, { seed: `img-ret-${i}` });
    }
    day(4);
    await pushImage(target, "viktor/app", "latest", { seed: "img-ret-latest" });
    forgejo.setNow(new Date());
    const res = await dockerd.docker([
      "run",
      ...hardened(),
      ...envFlags({ FORGEJO_HOST: forgejo.url, FORGEJO_OWNER: "viktor", FORGEJO_TOKEN: user.token, KEEP_LAST_N: "1" }),
      imageTag("retention"),
    ]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const plan = jsonLines(res.stdout).filter((l) => l.msg === "plan");
    const decision = (version: string) => plan.find((l) => l.package === "app" && l.version === version);
    expect(decision("v1"), res.stdout).toMatchObject({ decision: "delete", reason: "delete" });
    expect(decision("v2"), res.stdout).toMatchObject({ decision: "delete", reason: "delete" });
    expect(decision("v3"), res.stdout).toMatchObject({ decision: "keep" });
    expect(decision("latest"), res.stdout).toMatchObject({ decision: "keep", reason: "latest" });
    expect(res.stdout).toContain('"msg":"dry run: nothing deleted"');
    expect(res.stdout + res.stderr).not.toContain(user.token);
    expect(forgejo.versions("viktor", "app")).toHaveLength(4);
  });

  it("the sync image copies an image from the registry into the Forgejo fake and then finds it in parity", async () => {
    const pushed = await pushIndex({ url: registry.url }, "sync-src/web", "1.0", { attestations: true, seed: "img-sync" });
    const token = forgejo.user("viktor").token;
    const env = {
      SOURCE_URL: registry.url,
      TARGET_URL: forgejo.url,
      TARGET_USERNAME: "viktor",
      TARGET_PASSWORD: token,
      TARGET_PREFIX: "viktor/",
      REPOSITORIES: "sync-src/.*",
    };
    const copy = await dockerd.docker(["run", ...hardened(), ...envFlags({ ...env, DRY_RUN: "false" }), imageTag("sync"), "copy"]);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(forgejo.versions("viktor", "sync-src/web").find((v) => v.version === "1.0")?.digest).toBe(pushed.digest);
    const check = await dockerd.docker(["run", ...hardened(), ...envFlags(env), imageTag("sync"), "check"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("Sync check complete: 1 of 1 tags in parity");
    expect(copy.stdout + copy.stderr + check.stdout + check.stderr).not.toContain(token);
  });

  it("the breakglass image writes and verifies an archive", async () => {
    await pushImage({ url: registry.url }, "viktor/infra-ci", "abc123", { seed: "img-bg", layers: 2 });
    const mount = ["-v", `${out}:/archives`];
    const save = await dockerd.docker([
      "run",
      ...hardened(),
      ...mount,
      ...envFlags({ IMAGE: `${registry.host}/viktor/infra-ci:abc123`, REGISTRY_INSECURE: "true", DESTINATIONS: "/archives" }),
      imageTag("breakglass"),
      "save",
    ]);
    expect(save.code, save.stdout + save.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(expect.arrayContaining(["infra-ci-abc123.tar", "infra-ci-latest.tar"]));
    const verify = await dockerd.docker(["run", ...hardened(), ...mount, imageTag("breakglass"), "verify", "/archives/infra-ci-abc123.tar"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
