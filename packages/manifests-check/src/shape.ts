// A tiny structural schema for the custom resources we ship (Middleware,
// PrometheusRule, ClusterPolicy): no CRD OpenAPI is bundled for them, so the
// fields we rely on are kept here by hand, unknown ones rejected.

/** The expected shape of a value. */
export type Shape =
  | "string"
  | "integer"
  | "boolean"
  | "any"
  | { readonly object: Readonly<Record<string, Shape>>; readonly required?: readonly string[] }
  | { readonly array: Shape }
  | { readonly map: Shape };

/** Problems of `value` against `shape`, each prefixed with its path. */
export function checkShape(value: unknown, shape: Shape, path = ""): string[] {
  const at = path || "(root)";
  if (shape === "any") return [];
  if (shape === "string") return typeof value === "string" ? [] : [`${at} must be a string`];
  if (shape === "boolean") return typeof value === "boolean" ? [] : [`${at} must be true or false`];
  if (shape === "integer") return Number.isInteger(value) ? [] : [`${at} must be an integer`];
  if ("array" in shape) {
    if (!Array.isArray(value)) return [`${at} must be a list`];
    return value.flatMap((v, i) => checkShape(v, shape.array, `${path}[${i}]`));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${at} must be a mapping`];
  const entries = Object.entries(value);
  if ("map" in shape) return entries.flatMap(([k, v]) => checkShape(v, shape.map, `${path}[${JSON.stringify(k)}]`));
  const out: string[] = [];
  for (const req of shape.required ?? []) if (!(req in value)) out.push(`${path ? `${path}.` : ""}${req} is required`);
  for (const [k, v] of entries) {
    const sub = shape.object[k];
    const p = path ? `${path}.${k}` : k;
    if (sub === undefined) out.push(`${p} is not a known field`);
    else out.push(...checkShape(v, sub, p));
  }
  return out;
}
