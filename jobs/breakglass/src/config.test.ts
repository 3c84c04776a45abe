// Configuration: names, URLs and every problem at once.
import { describe, expect, it } from "vitest";
import { ConfigError } from "@regguard/job-config";
import { loadRestoreConfig, loadSaveConfig, positionals } from "./config.js";

const base = { IMAGE: "forgejo.viktorbarzin.me/viktor/infra-ci:3f2c9a1", DESTINATIONS: "/srv/a,s3://backups/bg" };
const problems = (env: Record<string, string>, argv: string[] = []): readonly string[] => {
  try {
    loadSaveConfig(env, argv);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
};

describe("loadSaveConfig", () => {
  it("defaults: https to IMAGE's host, name from the last path segment, linux/amd64, plain tar, KEEP 5", () => {
    const c = loadSaveConfig(base);
    expect(c.registry.url.toString()).toBe("https://forgejo.viktorbarzin.me/");
    expect([c.imageName, c.archiveName, c.keep, c.compression]).toEqual(["forgejo.viktorbarzin.me/viktor/infra-ci:3f2c9a1", "infra-ci", 5, "none"]);
    expect(c.platforms).toEqual({ all: false, wanted: [{ os: "linux", architecture: "amd64" }] });
    expect(c.destinations.map((d) => d.kind)).toEqual(["local", "s3"]);
  });

  it("REGISTRY_URL reaches the registry elsewhere while the archive keeps IMAGE's name", () => {
    const c = loadSaveConfig({ ...base, REGISTRY_URL: "http://forgejo.forgejo.svc.cluster.local:3000" });
    expect(c.registry.url.host).toBe("forgejo.forgejo.svc.cluster.local:3000");
    expect(c.imageName).toBe(base.IMAGE);
    expect(loadSaveConfig({ ...base, REGISTRY_INSECURE: "TRUE" }).registry.url.protocol).toBe("http:");
  });

  it("a loopback registry is plain http unless REGISTRY_INSECURE says otherwise; every other host https (issue 13)", () => {
    const scheme = (image: string, extra: Record<string, string> = {}) => loadSaveConfig({ ...base, IMAGE: image, ...extra }).registry.url.protocol;
    for (const host of ["127.0.0.1:5000", "127.8.9.10:5000", "localhost:5000", "localhost", "registry.localhost:5000", "[::1]:5000"]) {
      expect(scheme(`${host}/viktor/x:y`), host).toBe("http:");
    }
    for (const host of ["forgejo.viktorbarzin.me", "10.0.20.10:5000", "localhost.example.com:5000", "127.0.0.1.nip.io:5000"]) {
      expect(scheme(`${host}/viktor/x:y`), host).toBe("https:");
    }
    expect(scheme("127.0.0.1:5000/viktor/x:y", { REGISTRY_INSECURE: "false" })).toBe("https:");
    expect(scheme("forgejo.viktorbarzin.me/viktor/x:y", { REGISTRY_INSECURE: "true" })).toBe("http:");
  });

  it("names digest references by digest and untagged ones :latest", () => {
    const d = `sha256:${"a".repeat(64)}`;
    expect(loadSaveConfig({ ...base, IMAGE: `r.example/app@${d}` }).imageName).toBe(`r.example/app@${d}`);
    expect(loadSaveConfig({ ...base, IMAGE: `r.example/app:v1@${d}` }).imageName).toBe("r.example/app:v1");
    expect(loadSaveConfig({ ...base, IMAGE: "r.example/app" }).imageName).toBe("r.example/app:latest");
  });

  it("flags override the environment", () => {
    expect(loadSaveConfig(base, ["--keep=2", "--compress", "gzip"]).keep).toBe(2);
    expect(loadSaveConfig(base, ["--compress", "gzip"]).compression).toBe("gzip");
    expect(positionals(["save", "--keep", "3", "--registry-insecure", "x"])).toEqual(["save", "x"]);
  });

  it("a registry-valid tag that cannot be a file name is a configuration problem, with what to do instead", () => {
    for (const tag of ["_build", "v1..2"]) {
      const p = problems({ ...base, IMAGE: `r.example/viktor/infra-ci:${tag}` });
      expect(p, tag).toEqual([expect.stringContaining(`IMAGE's tag ${JSON.stringify(tag)}`)]);
      expect(p[0], tag).toContain("save it by digest");
    }
    // By digest the file is named after the digest, whatever tags the image has elsewhere.
    expect(loadSaveConfig({ ...base, IMAGE: `r.example/viktor/infra-ci@sha256:${"a".repeat(64)}` }).archiveName).toBe("infra-ci");
    // A bad ARCHIVE_NAME is reported once, not again as a bad file name.
    expect(problems({ ...base, ARCHIVE_NAME: "../x" })).toHaveLength(1);
    expect(problems({ ...base, ARCHIVE_NAME: "n".repeat(128), IMAGE: `r.example/a:${"t".repeat(128)}` })).toEqual([expect.stringMatching(/too long/)]);
  });

  it("reports every problem at once, credentials never echoed", () => {
    const p = problems({
      IMAGE: "no-host-image:1",
      DESTINATIONS: "/a,/a,s3://key:hunter2@b/x,s3://backups/x",
      KEEP: "0",
      PLATFORM: "amd64",
      COMPRESS: "xz",
      S3_ACCESS_KEY_ID: "AKIA",
      REGISTRY_PASSWORD: "pw",
    });
    expect(p).toHaveLength(8);
    expect(p.join("\n")).not.toContain("hunter2");
    expect(p.join("\n")).not.toContain("AKIA");
    expect(p).toContainEqual(expect.stringContaining("lists /a twice"));
    expect(p).toContainEqual(expect.stringContaining("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together"));
    expect(p).toContainEqual(expect.stringContaining("REGISTRY_PASSWORD is set but REGISTRY_USERNAME is not"));
  });
});

describe("loadRestoreConfig", () => {
  it("targets REF's registry with the REGISTRY_* variables", () => {
    const c = loadRestoreConfig({ REGISTRY_INSECURE: "true", REGISTRY_USERNAME: "ci-pusher", REGISTRY_PASSWORD: "x" }, [], "127.0.0.1:5000/viktor/app:v1");
    expect([c.registry.url.toString(), c.ref.repository, c.ref.tag, c.registry.username]).toEqual(["http://127.0.0.1:5000/", "viktor/app", "v1", "ci-pusher"]);
    expect(() => loadRestoreConfig({}, [], undefined)).toThrow(ConfigError);
    expect(() => loadRestoreConfig({}, ["--image=x"], "r.example/a:b")).toThrow(/unknown flag --image/);
  });
});
