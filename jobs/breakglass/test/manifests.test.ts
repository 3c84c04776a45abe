// The pipeline step and the CronJob use exactly BREAKGLASS_ENV's names, get
// secrets from secrets, write where their volumes are mounted, and pass the
// job's own configuration pipeline. (manifests-check validates the CronJob
// against the schema too; the Woodpecker file is not a Kubernetes object.)
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EnvSchema } from "@regguard/job-config";
import { BREAKGLASS_ENV, loadSaveConfig } from "../src/index.js";
import { REPO_ROOT } from "./helpers.js";

// Read as the general contract: the tests ask of any name whether the schema knows it.
const schema: EnvSchema = BREAKGLASS_ENV;
const names = new Set(schema.map((s) => s.name));
const secrets = new Set(schema.filter((s) => s.secret).map((s) => s.name));
const required = schema.filter((s) => s.required).map((s) => s.name);
const read = (p: string) => readFile(join(REPO_ROOT, p), "utf8");
const unquote = (v: string) => v.trim().replace(/^"(.*)"$/, "$1");

/** The lines of the block that starts at `start` and is indented deeper than it. */
function block(lines: string[], start: number): string[] {
  const indent = (l: string) => l.length - l.trimStart().length;
  const base = indent(lines[start] as string);
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && (lines[i]?.trim() === "" || lines[i]?.trim().startsWith("#") || indent(lines[i] as string) > base); i++)
    out.push(lines[i] as string);
  return out.filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
}

describe("Woodpecker pipeline (manifests/woodpecker)", async () => {
  const text = await read("manifests/woodpecker/infra-ci.woodpecker.yaml");
  const lines = text.split("\n");
  const step = block(
    lines,
    lines.findIndex((l) => l.trim() === "- name: breakglass"),
  );
  const envStart = step.findIndex((l) => l.trim() === "environment:");
  const envLines = block(step, envStart);
  const envIndent = (envLines[0] ?? "").length - (envLines[0] ?? "").trimStart().length;
  const env = new Map<string, string>();
  envLines.forEach((l, i) => {
    if (l.length - l.trimStart().length !== envIndent) return;
    const [k, ...rest] = l.trim().split(":");
    const v = rest.join(":").trim();
    env.set(k as string, v === "" ? `FROM:${envLines[i + 1]?.trim()}` : unquote(v));
  });

  it("the breakglass step uses only schema names, secrets from Woodpecker secrets", () => {
    expect([...env.keys()].filter((k) => !names.has(k))).toEqual([]);
    for (const r of required) expect(env.has(r), r).toBe(true);
    for (const [k, v] of env) expect(v.startsWith("FROM:from_secret:"), k).toBe(secrets.has(k));
  });

  it("saves exactly the tag the build step pushed to Forgejo, and fails loudly", () => {
    const tags = block(
      lines,
      lines.findIndex((l) => l.trim() === "tags:"),
    ).map((l) => l.trim().replace(/^- /, ""));
    expect(env.get("IMAGE")).toBe(`forgejo.viktorbarzin.me/viktor/infra-ci:${tags[0]}`);
    expect(text).toContain("- forgejo.viktorbarzin.me/viktor/infra-ci\n");
    expect(text).toContain("- registry.viktorbarzin.me/infra-ci\n");
    expect(lines.filter((l) => !l.trim().startsWith("#")).join("\n")).not.toMatch(/failure:\s*ignore/);
  });

  it("writes to the mounted PVCs, which breakglass-volumes.yaml defines", async () => {
    const volumes = block(
      step,
      step.findIndex((l) => l.trim() === "volumes:"),
    ).map((l) => l.trim().replace(/^- /, "").split(":"));
    expect(volumes.map((v) => v[1]).join(",")).toBe(env.get("DESTINATIONS"));
    const pvcs = await read("manifests/woodpecker/breakglass-volumes.yaml");
    for (const [claim] of volumes) expect(pvcs).toMatch(new RegExp(`kind: PersistentVolumeClaim\\nmetadata:\\n  name: ${claim}\\n`));
  });

  it("passes the job's configuration pipeline", () => {
    const values = Object.fromEntries([...env].map(([k, v]) => [k, v.startsWith("FROM:") ? "secret" : v.replace("${CI_COMMIT_SHA:0:8}", "0123abcd")]));
    expect(loadSaveConfig(values).destinations.map((d) => d.label)).toEqual(["/archives/registry-vm", "/archives/nas"]);
  });
});

describe("CronJob (manifests/breakglass)", async () => {
  const text = await read("manifests/breakglass/cronjob.yaml");
  const lines = text.split("\n");
  const envLines = block(
    lines,
    lines.findIndex((l) => l.trim() === "env:"),
  );
  const env = new Map<string, string>();
  envLines.forEach((l, i) => {
    const m = /^- name: (\S+)$/.exec(l.trim());
    if (!m) return;
    const next = envLines[i + 1]?.trim() ?? "";
    env.set(m[1] as string, next.startsWith("value:") ? unquote(next.slice("value:".length)) : `FROM:${envLines[i + 2]?.trim()}`);
  });

  it("uses only schema names; secrets come from secretKeyRef", () => {
    expect([...env.keys()].filter((k) => !names.has(k))).toEqual([]);
    for (const r of required) expect(env.has(r), r).toBe(true);
    for (const [k, v] of env) expect(v === "FROM:secretKeyRef:", k).toBe(secrets.has(k));
  });

  it("runs save, read-only, non-root, writing only to its mounted exports", () => {
    expect(text).toContain('args: ["save"]');
    expect(text).toMatch(/readOnlyRootFilesystem: true/);
    expect(text).toMatch(/runAsUser: 1000/);
    const mounts = [...text.matchAll(/mountPath: (\S+)/g)].map((m) => m[1]);
    expect(mounts).toContain("/tmp");
    for (const d of (env.get("DESTINATIONS") ?? "").split(",")) expect(mounts).toContain(d);
    const values = Object.fromEntries([...env].map(([k, v]) => [k, v.startsWith("FROM:") ? "secret" : v]));
    expect(loadSaveConfig(values).registry.pinRealm).toBe(true);
  });
});

describe("runbook (docs/runbooks/breakglass.md)", () => {
  it("names test files that exist, and every tested block is run by one of them", async () => {
    const runbook = await read("docs/runbooks/breakglass.md");
    const files = [...new Set([...runbook.matchAll(/`(jobs\/breakglass\/test\/[\w.-]+\.ts)`/g)].map((m) => m[1] as string))];
    expect(files.length).toBeGreaterThan(0);
    const sources = await Promise.all(files.map((f) => read(f)));
    const tested = [...runbook.matchAll(/<!-- tested: ([a-z-]+) -->/g)].map((m) => m[1] as string);
    expect(tested.length).toBeGreaterThan(0);
    for (const name of tested)
      expect(
        sources.some((src) => src.includes(`.get("${name}")`)),
        name,
      ).toBe(true);
  });
});
