// The docs this package owns: present, links and anchors that resolve,
// metric names that exist, the design citing every field-notes incident, and
// the runbooks' pull-Secret check run for real.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { readConfig, renderSecret } from "@regguard/registry-credentials";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { anchors, hasTool, listFiles, rel, relativeLinks, repoRoot } from "../src/index.js";

const root = repoRoot();
const docs = listFiles(join(root, "docs"), [".md"]);
const read = (p: string) => readFileSync(p, "utf8");
// Written by the retention and breakglass maintainers; linked before they exist.
const PENDING = new Set(["docs/runbooks/retention.md", "docs/runbooks/breakglass.md"]);
const METRICS = new Set(
  [
    "failures",
    "failures_by_kind",
    "catalog_accessible",
    "repos_checked",
    "tags_checked",
    "indexes_checked",
    "last_run_timestamp",
    "request_errors",
    "blobs_checked",
    "manifests_checked",
    "run_duration_seconds",
    "last_success_timestamp",
  ].map((m) => `registry_manifest_integrity_${m}`),
);

describe("docs", () => {
  it.each([
    "architecture.md",
    "design.md",
    "plan.md",
    "runbooks/setup.md",
    "runbooks/alerts.md",
    "runbooks/rebuild-corrupted-image.md",
    "runbooks/decommission-registry2.md",
  ])("docs/%s exists", (f) => expect(existsSync(join(root, "docs", f))).toBe(true));

  it("architecture.md has a Mermaid diagram", () => {
    expect(read(join(root, "docs/architecture.md"))).toMatch(/```mermaid\n(flowchart|graph) /);
  });

  it("every relative link and anchor resolves", () => {
    const broken: string[] = [];
    const notYet = new Set<string>();
    for (const file of docs) {
      for (const href of relativeLinks(read(file))) {
        const [path, anchor] = href.split("#") as [string, string | undefined];
        const target = path === "" ? file : resolve(dirname(file), path);
        if (PENDING.has(rel(target)) && !existsSync(target)) {
          notYet.add(rel(target));
          continue;
        }
        if (!existsSync(target)) broken.push(`${rel(file)} -> ${href}: no such file`);
        else if (anchor && target.endsWith(".md") && statSync(target).isFile() && !anchors(read(target)).has(anchor)) {
          broken.push(`${rel(file)} -> ${href}: no heading with that anchor`);
        }
      }
    }
    for (const t of notYet) console.warn(`docs links to ${t} not checked: not written yet (owned by another maintainer)`);
    expect(broken).toEqual([]);
  });

  it("mentions only metrics the probe pushes", () => {
    const texts = [...docs, ...listFiles(join(root, "manifests"), [".yaml"])].map((f) => [rel(f), read(f)] as const);
    const unknown = texts.flatMap(([f, t]) =>
      [...t.matchAll(/registry_manifest_integrity_[a-z_]+/g)]
        .map((m) => m[0])
        .filter((m) => !METRICS.has(m))
        .map((m) => `${f}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  const notes = join(root, "../shared/context/field-notes.md");
  it.skipIf(!existsSync(notes))("design.md answers every incident of the field notes", () => {
    // Numbered "What went wrong" items per section: retention R, probe P, breakglass B.
    const sections = read(notes).split(/^## /m);
    const count = (title: string) => {
      const s = sections.find((x) => x.startsWith(title)) ?? "";
      return (s.split("What went wrong")[1]?.match(/^\d+\. /gm) ?? []).length;
    };
    const design = read(join(root, "docs/design.md"));
    for (const [prefix, title] of [
      ["R", "Retention"],
      ["P", "Integrity probe"],
      ["B", "Breakglass"],
    ] as const) {
      const n = count(title);
      expect(n, title).toBeGreaterThan(0);
      for (let i = 1; i <= n; i++) expect(design, `${prefix}${i}`).toMatch(new RegExp(`^\\| ${prefix}${i} \\|`, "m"));
    }
  });
});
if (!existsSync(join(repoRoot(), "../shared/context/field-notes.md"))) {
  console.warn("docs.test.ts: ../shared/context/field-notes.md not found; the incident coverage check is skipped");
}

// The runbooks check the pull Secret with a jq filter and name the keys they
// expect "in this order": run that filter on what the registry-credentials
// command writes and compare with the text. (jq's `keys` sorts; Kubernetes
// and Kyverno keep the written order, Forgejo last, which is the point.)
const noJq = !hasTool("jq");
if (noJq) console.warn("skipping the runbooks' Secret check: jq is not installed (apt-get install jq)");
const TOKENS = {
  REGISTRY2_USERNAME: "viktor",
  REGISTRY2_TOKEN: "dummy-1",
  DOCKERHUB_USERNAME: "viktorbarzin",
  DOCKERHUB_TOKEN: "dummy-2",
  FORGEJO_TOKEN: "dummy-3",
};
describe.skipIf(noJq)("the runbooks' pull-Secret check", () => {
  it.each([
    ["runbooks/setup.md", TOKENS],
    ["runbooks/decommission-registry2.md", { ...TOKENS, INCLUDE: "dockerhub,forgejo" }],
  ] as const)("docs/%s: its jq filter prints the keys it expects, in that order", (file, env) => {
    const text = read(join(root, "docs", file));
    const program = /base64 -d \| jq -r '([^']*\.auths[^']*)'/.exec(text)?.[1];
    expect(program, `${file} has no "base64 -d | jq -r '.auths ...'" command`).toBeDefined();
    const listed = /Expected[^:]*:((?:\s*`[^`]+`,?)+)/.exec(text.slice(text.indexOf(program as string)))?.[1];
    expect(listed, `${file} names no expected keys after the command`).toBeDefined();
    const expected = [...(listed as string).matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const secret = parse(renderSecret(readConfig(env))) as { data: Record<string, string> };
    const json = Buffer.from(secret.data[".dockerconfigjson"] as string, "base64").toString();
    const jq = spawnSync("jq", ["-r", program as string], { input: json, encoding: "utf8" });
    expect(jq.status, jq.stderr).toBe(0);
    expect(jq.stdout.trim().split("\n")).toEqual(expected);
    expect(expected.at(-1)).toBe("forgejo.viktorbarzin.me");
  });
});
