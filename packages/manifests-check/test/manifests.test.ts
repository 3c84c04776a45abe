// Every YAML document under manifests/ parses, is a kind we know, and every
// Kubernetes object passes the bundled schema plus the unknown-field check;
// custom resources are checked against their hand-kept shapes.
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CRD_SHAPES,
  checkShape,
  describe as describeDoc,
  k8sObjects,
  listFiles,
  loadYamlTree,
  rel,
  repoRoot,
  unknownFields,
  unknownMetadataFields,
  validateBuiltin,
  type K8sObject,
} from "../src/index.js";

const root = repoRoot();
const manifests = join(root, "manifests");
const files = loadYamlTree(manifests, listFiles);
const docs = files.flatMap((f) => f.docs);
const objects = k8sObjects(docs);
const CLUSTER_SCOPED = new Set(["ClusterPolicy", "Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"]);

describe("manifests/ YAML", () => {
  it("has manifests to check", () => {
    expect(files.length).toBeGreaterThan(10);
    expect(objects.length).toBeGreaterThan(10);
  });

  it("parses without errors or duplicate keys", () => {
    expect(files.flatMap((f) => f.errors)).toEqual([]);
  });

  it("holds only Kubernetes objects, kustomizations, cloud-config and Woodpecker pipelines", () => {
    expect(docs.filter((d) => d.kind === "unknown").map((d) => rel(d.file))).toEqual([]);
  });

  it.each(objects.map((d) => [`${describeDoc(d)} (${rel(d.file)})`, d] as const))("%s is valid", async (_name, doc) => {
    const obj = doc.value;
    const shape = CRD_SHAPES.get(`${obj.apiVersion}/${obj.kind}`);
    const builtin = await validateBuiltin(obj);
    if (builtin === undefined && shape === undefined) expect.fail(`${obj.apiVersion} ${obj.kind}: no schema and no shape; add one to src/crd-shapes.ts`);
    const problems = [...(builtin ?? []), ...(shape ? checkShape(obj, shape) : [])];
    const unknown = builtin !== undefined ? (unknownFields(obj) ?? []) : unknownMetadataFields(obj);
    problems.push(...unknown.map((u) => `${u.path} is not a field of ${u.type}`));
    expect(problems).toEqual([]);
  });

  it("names and namespaces every namespaced object", () => {
    const bad = objects
      .filter((d) => !d.value.metadata?.name || (!CLUSTER_SCOPED.has(d.value.kind) && !d.value.metadata?.namespace))
      .map((d) => `${describeDoc(d)} (${rel(d.file)})`);
    expect(bad).toEqual([]);
  });
});

describe("kustomizations", () => {
  const kustomizations = docs.filter((d) => d.kind === "kustomization");

  it("exist for every folder with Kubernetes objects", () => {
    const folders = new Set(objects.map((d) => dirname(d.file)));
    const withK = new Set(kustomizations.map((d) => dirname(d.file)));
    expect([...folders].filter((f) => !withK.has(f)).map((f) => rel(f))).toEqual([]);
  });

  it.each(kustomizations.map((k) => [rel(k.file), k] as const))(
    "%s lists every object file, keeps templates out, and pins the images the files use",
    (_n, k) => {
      const dir = dirname(k.file);
      const v = k.value as { namespace?: string; resources?: string[]; images?: Array<{ name: string; newTag?: string }> };
      const objectFiles = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== basename(k.file) && objects.some((o) => o.file === join(dir, f)));
      const expected = objectFiles.filter((f) => !f.includes(".template."));
      expect([...(v.resources ?? [])].sort()).toEqual(expected.sort());
      const inFolder = objects.filter((o) => dirname(o.file) === dir).map((o) => o.value);
      if (v.namespace) expect(inFolder.filter((o) => o.metadata?.namespace && o.metadata.namespace !== v.namespace)).toEqual([]);
      const used = new Set(inFolder.flatMap(imagesOf));
      for (const img of v.images ?? []) expect(used).toContain(`${img.name}:${img.newTag}`);
    },
  );
});

function imagesOf(obj: K8sObject): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "image" && typeof x === "string") found.push(x);
        else walk(x);
      }
    }
  };
  walk(obj);
  return found;
}
