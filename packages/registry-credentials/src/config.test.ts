import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "@regguard/job-config";
import { useTempDir } from "@regguard/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { readConfig } from "./config.js";

const FULL = {
  REGISTRY2_USERNAME: "viktor",
  REGISTRY2_TOKEN: "r2-secret-value",
  DOCKERHUB_USERNAME: "viktorbarzin",
  DOCKERHUB_TOKEN: "dckr_pat_secret",
  FORGEJO_TOKEN: "forgejo-secret-value",
};

function problems(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    readConfig(env, argv);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

const tempDir = useTempDir("regcred", afterAll);

describe("readConfig", () => {
  it("builds four auths keys in a fixed order with the Forgejo entry last", () => {
    const cfg = readConfig(FULL);
    expect(cfg.secretName).toBe("registry-credentials");
    expect(cfg.namespace).toBe("kyverno");
    expect(cfg.credentials.flatMap((c) => c.hosts)).toEqual([
      "registry.viktorbarzin.me",
      "registry.viktorbarzin.me:5050",
      "index.docker.io",
      "forgejo.viktorbarzin.me",
    ]);
    expect(cfg.credentials.at(-1)).toMatchObject({ username: "cluster-puller", token: "forgejo-secret-value" });
  });

  it("reads tokens from *_FILE, dropping one trailing newline", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "pull"), "from-file-token\n");
    const { FORGEJO_TOKEN: _drop, ...rest } = FULL;
    const cfg = readConfig({ ...rest, FORGEJO_TOKEN_FILE: join(dir, "pull") });
    expect(cfg.credentials.at(-1)?.token).toBe("from-file-token");
  });

  it("reports every missing entry at once and never echoes a token", () => {
    const p = problems({ REGISTRY2_TOKEN: "leaky-secret ", DOCKERHUB_USERNAME: "x" });
    expect(p.join("\n")).toMatch(/REGISTRY2_USERNAME is required/);
    expect(p.join("\n")).toMatch(/REGISTRY2_TOKEN must not contain/);
    expect(p.join("\n")).toMatch(/DOCKERHUB_TOKEN \(or DOCKERHUB_TOKEN_FILE\) is required/);
    expect(p.join("\n")).toMatch(/FORGEJO_TOKEN \(or FORGEJO_TOKEN_FILE\) is required/);
    expect(p.join("\n")).not.toContain("leaky-secret");
  });

  it("refuses a token both inline and as a file, and an unreadable file", () => {
    const p = problems({ ...FULL, FORGEJO_TOKEN_FILE: "/nonexistent/token", DOCKERHUB_TOKEN: "", DOCKERHUB_TOKEN_FILE: "/nonexistent/x" });
    expect(p).toContain("FORGEJO_TOKEN and FORGEJO_TOKEN_FILE are both set; use one");
    expect(p.join("\n")).toMatch(/DOCKERHUB_TOKEN_FILE: cannot read "\/nonexistent\/x" \(ENOENT\)/);
  });

  it("validates hosts and refuses the same host twice", () => {
    const p = problems({ ...FULL, FORGEJO_HOSTS: "https://forgejo.viktorbarzin.me", DOCKERHUB_HOSTS: "registry.viktorbarzin.me" });
    expect(p.join("\n")).toMatch(/FORGEJO_HOSTS: "https:\/\/forgejo.viktorbarzin.me" must not include a scheme/);
    expect(p.join("\n")).toMatch(/registry.viktorbarzin.me is already used by REGISTRY2_HOSTS/);
  });

  it("drops registry2 after decommission via INCLUDE and needs no registry2 token then", () => {
    const cfg = readConfig({ DOCKERHUB_USERNAME: "u", DOCKERHUB_TOKEN: "t", FORGEJO_TOKEN: "f", INCLUDE: "forgejo,dockerhub" });
    expect(cfg.credentials.flatMap((c) => c.hosts)).toEqual(["index.docker.io", "forgejo.viktorbarzin.me"]);
    expect(problems({ ...FULL, INCLUDE: "forgejo,gitlab" })).toEqual(['INCLUDE: unknown group "gitlab" (known: registry2, dockerhub, forgejo)']);
  });

  it("refuses tokens passed as flags and unknown flags", () => {
    const p = problems(FULL, ["--forgejo-token=abc", "--frobnicate"]);
    expect(p).toContain("--forgejo-token: pass tokens as environment variables or *_FILE, not as flags");
    expect(p).toContain("unknown flag --frobnicate");
  });

  it("refuses a username with a colon (it would split the Basic credentials)", () => {
    expect(problems({ ...FULL, FORGEJO_USERNAME: "a:b" })).toEqual(["FORGEJO_USERNAME must not contain ':', control characters or surrounding spaces"]);
  });
});
