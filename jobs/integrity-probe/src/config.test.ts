import { ConfigError } from "@regguard/job-config";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

const BASE = { REGISTRY_URL: "https://forgejo.example", PUSHGATEWAY_URL: "http://pushgateway.monitoring:9091" };

function problems(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig(env, argv);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe("loadConfig", () => {
  it("applies the schema defaults", () => {
    const c = loadConfig(BASE);
    expect(c.registry.url.toString()).toBe("https://forgejo.example/");
    expect(c.instance).toBe("forgejo.example");
    expect(c.pushgateway).toEqual({ url: new URL("http://pushgateway.monitoring:9091"), job: "registry-integrity-probe" });
    expect([c.tagsPerRepo, c.checkBlobs, c.concurrency, c.timeoutMs, c.prefix, c.registry.pinRealm]).toEqual([0, true, 16, 15_000, undefined, false]);
    expect(c.registry.username).toBeUndefined();
  });

  it("reads every new name, and flags override the environment", () => {
    const c = loadConfig(
      {
        ...BASE,
        REGISTRY_INSTANCE: "forgejo.viktorbarzin.me",
        REGISTRY_USERNAME: "cluster-puller",
        REGISTRY_PASSWORD: "pat",
        REPOSITORY_PREFIX: "viktor/",
        PUSHGATEWAY_JOB: "forgejo-integrity-probe",
        TAGS_PER_REPO: "5",
        CHECK_BLOBS: "FALSE",
        CONCURRENCY: "4",
        REQUEST_TIMEOUT_MS: "500",
        PIN_TOKEN_REALM: "true",
      },
      ["--tags-per-repo=7", "--concurrency", "8"],
    );
    expect(c).toMatchObject({
      instance: "forgejo.viktorbarzin.me",
      prefix: "viktor/",
      tagsPerRepo: 7,
      checkBlobs: false,
      concurrency: 8,
      timeoutMs: 500,
      registry: { username: "cluster-puller", password: "pat", pinRealm: true },
      pushgateway: { job: "forgejo-integrity-probe" },
    });
  });

  it("maps the shell CronJob's legacy names", () => {
    const c = loadConfig({
      REGISTRY_HOST: "forgejo.viktorbarzin.me",
      REG_USER: "cluster-puller",
      REG_PASS: "pat",
      PUSHGATEWAY: "http://prometheus-prometheus-pushgateway.monitoring:9091/metrics/job/forgejo-integrity-probe",
      TAGS_PER_REPO: "5",
    });
    expect(c.registry.url.toString()).toBe("https://forgejo.viktorbarzin.me/");
    expect(c.registry).toMatchObject({ username: "cluster-puller", password: "pat" });
    expect(c.instance).toBe("forgejo.viktorbarzin.me");
    expect(c.pushgateway.url.toString()).toBe("http://prometheus-prometheus-pushgateway.monitoring:9091/");
    expect(c.pushgateway.job).toBe("forgejo-integrity-probe");
    const http = loadConfig({
      REGISTRY_HOST: "10.0.20.10:5050",
      REGISTRY_SCHEME: "HTTP",
      PUSHGATEWAY: "http://pg:9091/prefix/metrics/job/registry-integrity-probe/",
    });
    expect(http.registry.url.toString()).toBe("http://10.0.20.10:5050/");
    expect(http.instance).toBe("10.0.20.10:5050");
    expect(http.pushgateway.url.toString()).toBe("http://pg:9091/prefix");
  });

  it("accepts old and new names together when they agree", () => {
    const c = loadConfig({ ...BASE, REGISTRY_HOST: "forgejo.example", REG_USER: "u", REGISTRY_USERNAME: "u", REG_PASS: "p", REGISTRY_PASSWORD: "p" });
    expect(c.registry.username).toBe("u");
    const pg = loadConfig({ REGISTRY_URL: BASE.REGISTRY_URL, PUSHGATEWAY: "http://pg:9091/metrics/job/j", PUSHGATEWAY_JOB: "j" });
    expect(pg.pushgateway.job).toBe("j");
  });

  it("reports every conflict at once and never echoes a password", () => {
    const found = problems({
      REGISTRY_URL: "https://a.example",
      REGISTRY_HOST: "b.example",
      REGISTRY_USERNAME: "u1",
      REG_USER: "u2",
      REGISTRY_PASSWORD: "secret-one",
      REG_PASS: "secret-two",
      PUSHGATEWAY_URL: "http://pg:9091",
      PUSHGATEWAY: "http://pg:9091/metrics/job/x",
    });
    expect(found).toHaveLength(4);
    expect(found.join("\n")).toMatch(/REGISTRY_URL \(https:\/\/a\.example\) and REGISTRY_SCHEME:\/\/REGISTRY_HOST \(https:\/\/b\.example\) disagree/);
    expect(found.join("\n")).toMatch(/REGISTRY_USERNAME and REG_USER are both set and differ/);
    expect(found.join("\n")).toMatch(/REGISTRY_PASSWORD and REG_PASS are both set and differ; set only/);
    expect(found.join("\n")).toMatch(/PUSHGATEWAY_URL and the legacy PUSHGATEWAY are both set/);
    expect(found.join("\n")).not.toMatch(/secret-/);
  });

  it("requires a registry and a Pushgateway", () => {
    expect(problems({})).toEqual([expect.stringMatching(/REGISTRY_URL is required/), expect.stringMatching(/PUSHGATEWAY_URL is required/)]);
  });

  it("refuses malformed values with the variable named", () => {
    const found = problems(
      {
        REGISTRY_URL: "https://user:pw@forgejo.example",
        PUSHGATEWAY_URL: "http://pg:9091/metrics/job/x",
        TAGS_PER_REPO: "-1",
        CHECK_BLOBS: "yes",
        CONCURRENCY: "0",
        REQUEST_TIMEOUT_MS: "fast",
        REGISTRY_INSTANCE: " ",
      },
      ["--tags-per-rep=3"],
    );
    expect(found.join("\n")).not.toMatch(/pw/);
    for (const re of [
      /unknown flag --tags-per-rep/,
      /REGISTRY_URL must not contain credentials/,
      /PUSHGATEWAY_URL is the Pushgateway's base URL/,
      /TAGS_PER_REPO must be at least 0/,
      /CHECK_BLOBS must be true or false/,
      /CONCURRENCY must be at least 1/,
      /REQUEST_TIMEOUT_MS must be a whole number/,
    ]) {
      expect(found.join("\n")).toMatch(re);
    }
  });

  it("refuses a registry URL with a path, a bad legacy host or scheme, a legacy Pushgateway URL without the job", () => {
    expect(problems({ ...BASE, REGISTRY_URL: "https://forgejo.example/v2/" })).toEqual([expect.stringMatching(/without a path/)]);
    expect(problems({ REGISTRY_HOST: "https://forgejo.example", PUSHGATEWAY_URL: BASE.PUSHGATEWAY_URL })).toEqual([
      expect.stringMatching(/REGISTRY_HOST must be a host/),
    ]);
    expect(problems({ REGISTRY_HOST: "user:pw@forgejo.example", PUSHGATEWAY_URL: BASE.PUSHGATEWAY_URL }).join()).not.toMatch(/pw/);
    expect(problems({ REGISTRY_HOST: "forgejo.example", REGISTRY_SCHEME: "ftp", PUSHGATEWAY_URL: BASE.PUSHGATEWAY_URL })).toEqual([
      expect.stringMatching(/REGISTRY_SCHEME must be http or https/),
    ]);
    expect(problems({ ...BASE, REGISTRY_SCHEME: "http" })).toEqual([expect.stringMatching(/REGISTRY_SCHEME \(http\) disagrees with REGISTRY_URL/)]);
    expect(problems({ REGISTRY_URL: BASE.REGISTRY_URL, PUSHGATEWAY: "http://pg:9091/" })).toEqual([expect.stringMatching(/ending in \/metrics\/job\/<job>/)]);
    expect(problems({ REGISTRY_URL: BASE.REGISTRY_URL, PUSHGATEWAY: "http://pg:9091/metrics/job/a", PUSHGATEWAY_JOB: "b" })).toEqual([
      expect.stringMatching(/names job "a" but PUSHGATEWAY_JOB is "b"/),
    ]);
    expect(problems({ ...BASE, REGISTRY_USERNAME: "u" })).toEqual([expect.stringMatching(/username is set .* but no password/)]);
    expect(problems({ ...BASE, REG_PASS: "p" })).toEqual([expect.stringMatching(/password is set .* but no username/)]);
  });
});
