// Schema validation of built-in kinds with kubernetes-models' bundled
// OpenAPI validators (types, enums, required fields).
import type { K8sObject } from "./load.js";

interface ModelClass {
  new (data: Record<string, unknown>): { validate(): void };
}

/** The model class for apiVersion/kind, or undefined when kubernetes-models has none. */
export async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  if (!/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion)) return undefined;
  try {
    const mod = (await import(/* @vite-ignore */ `kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
    const cls = mod[kind];
    return typeof cls === "function" ? (cls as ModelClass) : undefined;
  } catch {
    return undefined;
  }
}

/** Validation messages for a built-in object ([] when valid); undefined when the kind is not built in. */
export async function validateBuiltin(obj: K8sObject): Promise<string[] | undefined> {
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) return undefined;
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    const details = (e as { errors?: Array<{ instancePath?: string; message?: string }> }).errors;
    if (details?.length) return details.map((d) => `${d.instancePath || "/"} ${d.message ?? "invalid"}`);
    return [(e as Error).message];
  }
}
