import { ConfigError } from "@regguard/job-config";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

const base = { FORGEJO_HOST: "http://forgejo.forgejo.svc.cluster.local", FORGEJO_OWNER: "viktor", FORGEJO_TOKEN: "0123abcd" };
const problems = (env: Record<string, string>, argv: string[] = []): string[] => {
  try {
    loadConfig(env, argv);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
};

describe("loadConfig", () => {
  it("defaults: dry-run, newest 10, latest and cache tags, 24h grace, guard on, registry = Forgejo", () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      dryRun: true,
      force: false,
      maxDeletePercent: 50,
      maxDeletes: 200,
      concurrency: 4,
      registryUser: undefined,
      planFile: undefined,
      pushgateway: undefined,
    });
    expect(c.rules.keepLastN).toBe(10);
    expect(c.rules.untaggedGraceMs).toBe(24 * 3_600_000);
    expect(c.registryUrl.href).toBe(c.forgejoUrl.href);
  });

  it("DRY_RUN takes true/false in any case and nothing else (docs/design.md, R4)", () => {
    expect(loadConfig({ ...base, DRY_RUN: "TRUE" }).dryRun).toBe(true);
    expect(loadConfig({ ...base, DRY_RUN: "False" }).dryRun).toBe(false);
    for (const v of ["yes", "1", "on", "true!"])
      expect(problems({ ...base, DRY_RUN: v })).toEqual([`DRY_RUN must be true or false (any case), got ${JSON.stringify(v)}`]);
  });

  it("KEEP_TAGS matches case-insensitively, whatever flags it was written with", () => {
    const re = loadConfig({ ...base, KEEP_TAGS: "CACHE" }).rules.keepTags;
    expect(re.test("buildcache")).toBe(true);
    expect(re.flags).toContain("i");
  });

  it("collects every problem at once and never echoes the token", () => {
    const got = problems({ FORGEJO_HOST: "ftp://x", FORGEJO_TOKEN: "sec ret", KEEP_LAST_N: "-1", MAX_DELETE_PERCENT: "150", KEEP_TAGS: "(" });
    expect(got.length).toBe(6);
    expect(got.join("\n")).toMatch(/FORGEJO_OWNER is required/);
    expect(got.join("\n")).not.toContain("sec ret");
  });

  it("a token read from a file with a trailing newline is trimmed", () => {
    expect(loadConfig({ ...base, FORGEJO_TOKEN: "abc\n" }).token).toBe("abc");
  });

  it("flags override the environment; an unknown flag is a problem", () => {
    expect(loadConfig(base, ["--dry-run=false", "--keep-last-n", "3"])).toMatchObject({ dryRun: false, rules: { keepLastN: 3 } });
    expect(problems(base, ["--dryrun=false"])).toEqual(["unknown flag --dryrun (see --help)"]);
  });

  it("REGISTRY_URL, FORGEJO_USER, PUSHGATEWAY_URL and an owner name are validated", () => {
    const c = loadConfig({ ...base, REGISTRY_URL: "https://forgejo.example", FORGEJO_USER: "ci", PUSHGATEWAY_URL: "http://pg:9091" });
    expect(c).toMatchObject({ registryUser: "ci", pushgateway: { job: "forgejo-retention" } });
    expect(c.registryUrl.host).toBe("forgejo.example");
    expect(problems({ ...base, FORGEJO_OWNER: "viktor/app" })[0]).toMatch(/FORGEJO_OWNER must be/);
    expect(problems({ ...base, REGISTRY_URL: "https://u:p@x" })[0]).toMatch(/must not contain credentials/);
  });
});
