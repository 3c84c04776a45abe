// Runs the built command as an operator would: `node dist/main.js`.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { useTempDir } from "@regguard/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const MAIN = new URL("../dist/main.js", import.meta.url).pathname;
const SECRETS = { REGISTRY2_TOKEN: "sentinel-r2-4f1c", DOCKERHUB_TOKEN: "sentinel-hub-9a2e", FORGEJO_TOKEN: "sentinel-fj-77d0" };
const BASE = { PATH: process.env.PATH ?? "", REGISTRY2_USERNAME: "viktor", DOCKERHUB_USERNAME: "viktorbarzin" };

function cli(env: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [MAIN, ...args], { env, encoding: "utf8" });
}

const tempDir = useTempDir("regcred-cli", afterAll);

describe("registry-credentials CLI", () => {
  it("prints the Secret with four auths entries, Forgejo fourth", () => {
    const out = execFileSync(process.execPath, [MAIN], { env: { ...BASE, ...SECRETS }, encoding: "utf8" });
    const doc = parse(out);
    const json = JSON.parse(Buffer.from(doc.data[".dockerconfigjson"], "base64").toString());
    expect(Object.keys(json.auths)).toEqual(["registry.viktorbarzin.me", "registry.viktorbarzin.me:5050", "index.docker.io", "forgejo.viktorbarzin.me"]);
    expect(Buffer.from(json.auths["forgejo.viktorbarzin.me"].auth, "base64").toString()).toBe("cluster-puller:sentinel-fj-77d0");
  });

  it("exits 2 with every problem on stderr, no token in it, nothing on stdout", () => {
    const r = cli({ ...BASE, REGISTRY2_TOKEN: "sentinel-r2-4f1c\nsecond-line", FORGEJO_HOSTS: "https://forgejo.viktorbarzin.me/v2" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/REGISTRY2_TOKEN must not contain control characters/);
    expect(r.stderr).toMatch(/DOCKERHUB_TOKEN \(or DOCKERHUB_TOKEN_FILE\) is required/);
    expect(r.stderr).toMatch(/must not include a scheme/);
    for (const s of Object.values(SECRETS)) expect(r.stderr).not.toContain(s);
    expect(r.stderr).not.toContain("second-line");
  });

  it("writes --output with mode 0600 and says so without the token", () => {
    const dir = tempDir();
    const tokenFile = join(dir, "forgejo_pull_token");
    writeFileSync(tokenFile, `${SECRETS.FORGEJO_TOKEN}\n`);
    const out = join(dir, "secret.yaml");
    const { FORGEJO_TOKEN: _f, ...others } = SECRETS;
    const r = cli({ ...BASE, ...others, FORGEJO_TOKEN_FILE: tokenFile }, ["--output", out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, "utf8")).toMatch(/type: kubernetes.io\/dockerconfigjson/);
    for (const s of Object.values(SECRETS)) expect(r.stderr).not.toContain(s);
  });

  it("exits 1 when the output cannot be written", () => {
    const r = cli({ ...BASE, ...SECRETS }, ["--output=/nonexistent-dir/secret.yaml"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot write "\/nonexistent-dir\/secret.yaml" \(ENOENT\)/);
  });

  it("--help lists the variables", () => {
    const r = cli(BASE, ["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/FORGEJO_TOKEN/);
    expect(r.stdout).toMatch(/_FILE/);
  });
});
