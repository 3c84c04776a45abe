// Edge cases of the keep set beyond the incident fixtures.
import { describe, expect, it } from "vitest";
import { keepSet } from "./keep-set.js";
import type { DigestText, InventoryVersion, PackageInventory, ResolvedNode } from "./model.js";
import { reasonText } from "./model.js";
import { nameKind } from "./names.js";

const d = (c: string): DigestText => `sha256:${c.repeat(64).slice(0, 64)}` as DigestText;
const rules = { keepLastN: 1, keepTags: /^latest$|cache/, untaggedGraceMs: 3_600_000 };
const NOW = Date.parse("2024-06-01T00:00:00Z");
const tag = (id: number, name: string, digest: DigestText, t = "2024-05-01T00:00:00Z"): InventoryVersion => ({
  id,
  name,
  createdAt: Date.parse(t),
  digest: { state: "known", digest },
});
const pkgOf = (versions: InventoryVersion[], tags = versions.filter((v) => !v.name.startsWith("sha256:")).map((v) => v.name)): PackageInventory => ({
  name: "p",
  repository: "viktor/p",
  versions,
  registryTags: { state: "ok", tags },
});
const image = (digest: DigestText): ResolvedNode => ({ state: "ok", digest, refs: [] });
const graphOf = (pkg: PackageInventory): Map<string, ResolvedNode> =>
  new Map(pkg.versions.map((v) => [v.name, image((v.digest as { digest: DigestText }).digest)]));
const reasons = (r: ReturnType<typeof keepSet>) => Object.fromEntries(r.decisions.map((x) => [x.version, reasonText(x.reason)]));

describe("keepSet", () => {
  it("asks for exactly the kept roots first, and nothing for what it will delete", () => {
    const pkg = pkgOf([tag(1, "old", d("1")), tag(2, "new", d("2"), "2024-05-02T00:00:00Z")]);
    expect(keepSet(pkg, new Map(), rules, NOW).needs).toEqual(["new"]);
  });

  it("a same-second tie is broken by id, never by listing order", () => {
    const a = tag(7, "x", d("1"));
    const b = tag(9, "y", d("2"));
    for (const versions of [
      [a, b],
      [b, a],
    ]) {
      const pkg = pkgOf(versions);
      expect(reasons(keepSet(pkg, graphOf(pkg), rules, NOW))).toEqual({ x: "delete", y: "newest" });
    }
  });

  it("names are compared case-insensitively", () => {
    const pkg = pkgOf([tag(1, "LATEST", d("1")), tag(2, "BuildCache", d("2")), tag(3, "v1", d("3"))]);
    expect(reasons(keepSet(pkg, graphOf(pkg), { ...rules, keepLastN: 0 }, NOW))).toEqual({ LATEST: "latest", BuildCache: "pattern", v1: "delete" });
  });

  it("a listing that repeats a version (the package moved while paging) freezes the package", () => {
    const pkg = pkgOf([tag(1, "a", d("1")), tag(1, "a", d("1")), tag(3, "b", d("3"), "2024-05-03T00:00:00Z")]);
    const r = keepSet(pkg, graphOf(pkg), rules, NOW);
    expect(r.frozen[0]).toMatch(/listed twice/);
    expect(r.decisions.every((x) => x.action === "keep")).toBe(true);
  });

  it("a tag /v2 lists but the packages API did not (pushed during the run) freezes the package", () => {
    const pkg = pkgOf([tag(1, "a", d("1")), tag(2, "b", d("2"), "2024-05-03T00:00:00Z")], ["a", "b", "c"]);
    const r = keepSet(pkg, graphOf(pkg), rules, NOW);
    expect(r.frozen.join()).toMatch(/pushed during the run/);
    expect(r.decisions.find((x) => x.version === "a")?.action).toBe("keep");
  });

  it("a tagged version whose digest lookup failed (not 404) freezes the package", () => {
    const pkg = pkgOf([{ id: 1, name: "a", createdAt: 0, digest: { state: "error", message: "HTTP 502" } }, tag(2, "b", d("2"))]);
    expect(keepSet(pkg, graphOf(pkg), rules, NOW).frozen).toEqual(["cannot tell which manifest a holds: HTTP 502"]);
  });

  it("a kept tag answering with another digest than the listing saw (re-pushed) freezes the package", () => {
    const pkg = pkgOf([tag(1, "a", d("1"))]);
    const r = keepSet(pkg, new Map([["a", image(d("9"))]]), rules, NOW);
    expect(r.frozen[0]).toMatch(/no listed version holds it/);
  });

  it("a kept root that answers 404 freezes the package and is named for the re-list; a child's 404 is only reported", () => {
    const missing: ResolvedNode = { state: "missing", message: "HTTP 404 MANIFEST_UNKNOWN" };
    const pkg = pkgOf([
      tag(1, "old", d("1")),
      tag(2, "new", d("2"), "2024-05-02T00:00:00Z"),
      { id: 3, name: d("c"), createdAt: 0, digest: { state: "known", digest: d("c") } },
    ]);
    const root = keepSet(pkg, new Map([["new", missing]]), rules, NOW);
    expect(root.unreadable).toEqual(["new"]);
    expect(root.frozen).toEqual([
      "kept new is listed but its manifest cannot be read (HTTP 404 MANIFEST_UNKNOWN); what it references is unknown, so nothing here is deleted",
    ]);
    expect(root.decisions.every((x) => x.action === "keep")).toBe(true);
    const child = keepSet(
      pkg,
      new Map<string, ResolvedNode>([
        ["new", { state: "ok", digest: d("2"), refs: [d("9")] }],
        [d("9"), missing],
      ]),
      rules,
      NOW,
    );
    expect([child.unreadable, child.frozen]).toEqual([[], []]);
    expect(child.broken).toEqual([{ root: "new", target: d("9"), message: "HTTP 404 MANIFEST_UNKNOWN" }]);
    expect(reasons(child)).toMatchObject({ old: "delete", [d("c")]: "delete" });
  });

  it("an untagged version inside the grace period is kept even with no reference; outside it goes", () => {
    const young = { id: 1, name: d("a"), createdAt: NOW - 60_000, digest: { state: "known" as const, digest: d("a") } };
    const old = { id: 2, name: d("b"), createdAt: NOW - 7_200_000, digest: { state: "known" as const, digest: d("b") } };
    const pkg = pkgOf([young, old]);
    const r = keepSet(pkg, new Map([[d("a"), image(d("a"))]]), rules, NOW);
    expect(reasons(r)).toEqual({ [d("a")]: "grace", [d("b")]: "delete" });
  });
});

describe("nameKind", () => {
  it("tells tags, untagged digests, cosign tags and impostors apart", () => {
    expect(nameKind(d("a")).kind).toBe("untagged");
    expect(nameKind(`sha256-${"a".repeat(64)}.sig`)).toEqual({ kind: "cosign", subject: d("a") });
    expect(nameKind(`sha256-${"a".repeat(64)}`).kind).toBe("cosign");
    expect(nameKind(`sha256-${"a".repeat(63)}.sig`).kind).toBe("tag");
    expect(nameKind("sha256:abc").kind).toBe("invalid");
    expect(nameKind("v1.2").kind).toBe("tag");
  });
});
