// Every YAML document under manifests/, parsed strictly (duplicate keys are
// errors), and sorted into the kinds of document the checks know.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

/** What a document is. */
export type DocKind = "kubernetes" | "kustomization" | "cloud-config" | "woodpecker" | "unknown";

/** One parsed document of one file. */
export interface ManifestDoc {
  readonly file: string;
  readonly index: number;
  readonly kind: DocKind;
  readonly value: Record<string, unknown>;
}

/** A Kubernetes object: at least apiVersion, kind and metadata. */
export interface K8sObject extends Record<string, unknown> {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Parse result of one file: its documents and any YAML errors. */
export interface LoadedFile {
  readonly file: string;
  readonly docs: ManifestDoc[];
  readonly errors: string[];
}

const KUSTOMIZE_API = "kustomize.config.k8s.io/";

/** Parses one YAML file into documents; empty documents are dropped. */
export function loadYamlFile(file: string): LoadedFile {
  const text = readFileSync(file, "utf8");
  const docs: ManifestDoc[] = [];
  const errors: string[] = [];
  parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true }).forEach((doc, index) => {
    for (const e of [...doc.errors, ...doc.warnings]) errors.push(`${file} (document ${index + 1}): ${e.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      errors.push(`${file} (document ${index + 1}): top level must be a mapping`);
      return;
    }
    const v = value as Record<string, unknown>;
    docs.push({ file, index, kind: classify(v, text), value: v });
  });
  return { file, docs, errors };
}

function classify(v: Record<string, unknown>, text: string): DocKind {
  const api = v.apiVersion;
  if (typeof api === "string" && api.startsWith(KUSTOMIZE_API)) return "kustomization";
  if (typeof api === "string" && typeof v.kind === "string") return "kubernetes";
  if (text.startsWith("#cloud-config\n")) return "cloud-config";
  // A Woodpecker pipeline: a steps list whose every step names an image.
  if (Array.isArray(v.steps) && v.steps.every((s) => typeof (s as { image?: unknown } | null)?.image === "string")) return "woodpecker";
  return "unknown";
}

/** The Kubernetes objects among documents. */
export function k8sObjects(docs: readonly ManifestDoc[]): Array<ManifestDoc & { value: K8sObject }> {
  return docs.filter((d): d is ManifestDoc & { value: K8sObject } => d.kind === "kubernetes");
}

/** "Kind/namespace/name (file)" for messages. */
export function describe(doc: ManifestDoc): string {
  const v = doc.value as K8sObject;
  const ns = v.metadata?.namespace ? `${v.metadata.namespace}/` : "";
  return `${v.kind}/${ns}${v.metadata?.name ?? "?"}`;
}

/** Every YAML file under `dir`, parsed. */
export function loadYamlTree(dir: string, list: (d: string, s: readonly string[]) => string[]): LoadedFile[] {
  return list(dir, [".yaml", ".yml"]).map(loadYamlFile);
}
