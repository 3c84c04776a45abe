// The post-apply walks on their own (src/verify.ts) against a real registry:2 on 127.0.0.1, with
// damage made for real (a layer's data file removed, a child's revision link removed as
// distribution#3324 does) and outages forced at a proxy: which tags are walked, what counts as
// broken, what only as unverified, and what the re-list of a package reports (issue 16).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@regguard/oci-client";
import { pushImage, pushIndex, startForwardingProxy, startRegistry, type PushTarget, type StartedRegistry } from "@regguard/testkit";
import type { Decision, PackagePlan } from "../src/model.js";
import { verifyKept, verifyUnplanned } from "../src/verify.js";

let registry: StartedRegistry;
let push: PushTarget;
beforeAll(async () => {
  registry = await startRegistry();
  push = { url: registry.url };
});
afterAll(async () => registry?.stop());

async function withClient<T>(url: string, fn: (c: RegistryClient) => Promise<T>): Promise<T> {
  const client = new RegistryClient({ url, retryBaseMs: 5, retries: 1 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const decision = (version: string, action: Decision["action"]): Decision => ({
  id: 1,
  version,
  createdAt: 0,
  action,
  reason: action === "keep" ? { kind: "newest", rank: 1 } : { kind: "delete" },
});
const plan = (name: string, decisions: Decision[], broken: PackagePlan["broken"] = []): PackagePlan => ({
  name,
  repository: `viktor/${name}`,
  decisions,
  frozen: [],
  broken,
  gone: [],
});

describe("verifyKept: every kept tag, walked like a pull", () => {
  it("walks kept tags only, blobs included, and marks what the plan already knew as pre-existing", async () => {
    await pushImage(push, "viktor/kept", "good", { seed: "verify-good" });
    const hurt = await pushImage(push, "viktor/kept", "hurt", { seed: "verify-hurt" });
    const other = await pushImage(push, "viktor/known", "hurt", { seed: "verify-known" });
    await pushImage(push, "viktor/kept", "dropped", { seed: "verify-dropped" });
    const layer = hurt.layers[0]?.digest as string;
    const knownLayer = other.layers[0]?.digest as string;
    await registry.deleteBlobData(layer);
    await registry.deleteBlobData(knownLayer);
    const untagged = await pushImage(push, "viktor/kept", undefined, { seed: "verify-untagged" });
    await registry.deleteBlobData(untagged.layers[0]?.digest as string);

    const packages = [
      plan("kept", [decision("good", "keep"), decision("hurt", "keep"), decision(untagged.digest, "keep"), decision("dropped", "delete")]),
      plan("known", [decision("hurt", "keep")], [{ root: "hurt", target: knownLayer, message: "404" }]),
    ];
    const result = await withClient(registry.url, (c) => verifyKept(c, packages, 4));

    // An untagged version is walked through the tag that references it; a deleted tag is not walked.
    expect(result.tagsWalked).toBe(3);
    expect(result.unverified).toEqual([]);
    const seen = result.findings.map((f) => [f.repository, f.kind, f.digest, f.tag, f.preExisting]).sort();
    expect(seen).toEqual([
      ["viktor/kept", "blob_missing", layer, "hurt", false],
      ["viktor/known", "blob_missing", knownLayer, "hurt", true],
    ]);
  });

  it("a kept tag the registry cannot serve (HTTP 500) is unverified, never broken", async () => {
    await pushImage(push, "viktor/flaky", "v1", { seed: "verify-flaky" });
    const proxy = await startForwardingProxy(registry.url);
    try {
      proxy.rules.failNext({ method: "GET", pathIncludes: "/v2/viktor/flaky/manifests/v1" }, { status: 500, body: "boom" }, 100);
      const result = await withClient(proxy.url, (c) => verifyKept(c, [plan("flaky", [decision("v1", "keep")])], 2));
      expect(result.findings).toEqual([]);
      expect(result.unverified.map((f) => [f.kind, f.tag, f.status])).toEqual([["request_error", "v1", 500]]);
    } finally {
      await proxy.stop();
    }
  });
});

describe("verifyUnplanned: the tags a package has now that the plan did not keep", () => {
  it("walks a tag pushed during the run and a planned delete that is still there; says which missing piece this run deleted", async () => {
    await pushImage(push, "viktor/raced", "keep", { seed: "raced-keep" });
    await pushImage(push, "viktor/raced", "old", { seed: "raced-old" });
    // CI tags a new index over a child this run deleted (the window the re-list cannot see).
    const fresh = await pushIndex(push, "viktor/raced", "new", { platforms: ["linux/amd64", "linux/arm64"] });
    const child = fresh.children[0]?.digest as string;
    await registry.corruptRevisionLink("viktor/raced", child);
    const packages = [plan("raced", [decision("keep", "keep"), decision("old", "delete")])];
    const deleted = new Map([["raced", new Set([child])]]);

    const result = await withClient(registry.url, (c) => verifyUnplanned(c, packages, deleted, 4));

    expect(result.tagsWalked).toBe(2);
    expect(result.listErrors).toEqual([]);
    expect(result.unverified).toEqual([]);
    expect(result.findings.map((f) => [f.kind, f.digest, f.tag, f.since, f.deletedByThisRun])).toEqual([["child_missing", child, "new", "new", true]]);

    // The same hole, not deleted by this run: reported, and not blamed on it.
    const notOurs = await withClient(registry.url, (c) => verifyUnplanned(c, packages, new Map(), 4));
    expect(notOurs.findings.map((f) => [f.tag, f.since, f.deletedByThisRun])).toEqual([["new", "new", false]]);
  });

  it("a planned delete that was re-pushed broken is reported as planned-delete", async () => {
    const img = await pushImage(push, "viktor/again", "old", { seed: "again-old" });
    await registry.deleteBlobData(img.config.digest);
    const result = await withClient(registry.url, (c) => verifyUnplanned(c, [plan("again", [decision("old", "delete")])], new Map(), 2));
    expect(result.findings.map((f) => [f.kind, f.digest, f.since, f.deletedByThisRun])).toEqual([["blob_missing", img.config.digest, "planned-delete", false]]);
  });

  it("a repository that no longer exists has no tags to break; a tag list that fails otherwise is a list error naming the package", async () => {
    const proxy = await startForwardingProxy(registry.url);
    try {
      await pushImage(push, "viktor/listless", "v1", { seed: "listless" });
      await pushImage(push, "viktor/proxied", "v1", { seed: "proxied" });
      proxy.rules.failNext({ method: "GET", pathIncludes: "/v2/viktor/listless/tags/list" }, { status: 500, body: "boom" }, 100);
      // A bare 404 (no NAME_UNKNOWN: a proxy's, not the registry's) says nothing about the tags.
      proxy.rules.failNext({ method: "GET", pathIncludes: "/v2/viktor/proxied/tags/list" }, { status: 404, body: "404 page not found" }, 100);
      const packages = [
        plan("never-pushed", [decision("v1", "delete")]),
        plan("listless", [decision("v1", "keep")]),
        plan("proxied", [decision("v1", "keep")]),
      ];
      const result = await withClient(proxy.url, (c) => verifyUnplanned(c, packages, new Map(), 2));
      expect(result.tagsWalked).toBe(0);
      expect(result.findings).toEqual([]);
      expect(result.listErrors.map((e) => e.package).sort()).toEqual(["listless", "proxied"]);
      expect(result.listErrors.find((e) => e.package === "listless")?.error).toMatch(/500/);
      expect(result.listErrors.find((e) => e.package === "proxied")?.error).toMatch(/404/);
    } finally {
      await proxy.stop();
    }
  });
});
