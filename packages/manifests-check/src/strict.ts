// Unknown-field check: walks an object against the field lists of its kind.
import { kindFile, objectMetaFile, properties, type TypeRef } from "./dts-schema.js";

/** "spec.jobTemplate.spec.template.spec.containers[0].securityContext.runAsNonroot is not a field of SecurityContext" */
export interface UnknownField {
  readonly path: string;
  readonly type: string;
}

/** Unknown fields of a built-in object; undefined when the kind is not built in. */
export function unknownFields(obj: Record<string, unknown>): UnknownField[] | undefined {
  const file = kindFile(String(obj.apiVersion), String(obj.kind));
  if (!file) return undefined;
  const out: UnknownField[] = [];
  walk(obj, { t: "object", file }, "", out);
  return out;
}

/** Unknown fields of a custom resource's metadata (ObjectMeta, like every object). */
export function unknownMetadataFields(obj: Record<string, unknown>): UnknownField[] {
  const out: UnknownField[] = [];
  walk(obj.metadata, { t: "object", file: objectMetaFile() }, "metadata", out);
  return out;
}

function walk(value: unknown, ref: TypeRef, path: string, out: UnknownField[]): void {
  if (value === null || value === undefined || ref.t === "leaf") return;
  if (ref.t === "array") {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, ref.item, `${path}[${i}]`, out));
    return;
  }
  if (typeof value !== "object" || Array.isArray(value)) return; // validate() reports type errors
  if (ref.t === "map") {
    for (const [k, v] of Object.entries(value)) walk(v, ref.value, `${path}[${JSON.stringify(k)}]`, out);
    return;
  }
  const props = properties(ref.file);
  if (props === null) return; // open type
  const typeName = /([A-Za-z0-9]+)\.d\.ts$/.exec(ref.file)?.[1] ?? ref.file;
  for (const [k, v] of Object.entries(value)) {
    const sub = props.get(k);
    const p = path ? `${path}.${k}` : k;
    if (!sub) out.push({ path: p, type: typeName });
    else walk(v, sub, p, out);
  }
}
