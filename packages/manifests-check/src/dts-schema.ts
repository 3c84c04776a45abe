// Field lists for built-in kinds, read from the .d.ts files kubernetes-models
// ships (generated from the Kubernetes OpenAPI document). Its validate() does
// not reject unknown fields, and a misspelt field (runAsNonroot,
// readOnlyRootFileSystem) is silently dropped by the API server: exactly
// where a security setting disappears without anyone noticing.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { SchemaSourceError } from "./errors.js";

/** The shape of one field's value. */
export type TypeRef =
  | { readonly t: "object"; readonly file: string }
  | { readonly t: "array"; readonly item: TypeRef }
  | { readonly t: "map"; readonly value: TypeRef }
  | { readonly t: "leaf" };

const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve("kubernetes-models/package.json"));
const modelsRequire = createRequire(join(modelsDir, "package.json"));
const cache = new Map<string, ReadonlyMap<string, TypeRef> | null>();

/** The .d.ts describing a top-level kind, e.g. ("batch/v1", "CronJob"); undefined if not built in. */
export function kindFile(apiVersion: string, kind: string): string | undefined {
  if (!/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) return undefined;
  const file = join(modelsDir, apiVersion, `${kind}.d.ts`);
  return existsSync(file) ? file : undefined;
}

/** The .d.ts of ObjectMeta, the metadata every object (custom resources too) carries. */
export function objectMetaFile(): string {
  return packageFile("@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta");
}

/** Properties of the interface in `file`; null when the type is open (no declared properties). */
export function properties(file: string): ReadonlyMap<string, TypeRef> | null {
  const hit = cache.get(file);
  if (hit !== undefined) return hit;
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) imports.set(m[1] as string, m[2] as string);
  const start = /export interface \w+(?: extends [\w, ]+)? \{/.exec(text);
  let props: Map<string, TypeRef> | null = null;
  if (start) {
    props = new Map();
    for (const member of members(text, start.index + start[0].length)) {
      const m = /^"([^"]+)"\??:\s*([\s\S]+)$/.exec(member);
      if (!m) throw new SchemaSourceError(`cannot read member ${JSON.stringify(member)} in ${file}`);
      props.set(m[1] as string, typeRef((m[2] as string).trim(), file, imports));
    }
    if (props.size === 0) props = null;
  }
  cache.set(file, props);
  return props;
}

// Members of an interface body: split on ';' at brace depth 0 up to the closing '}'.
function members(text: string, from: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (let i = from; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "{") depth++;
    if (c === "}") {
      if (depth === 0) break;
      depth--;
    }
    if (c === ";" && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function typeRef(type: string, file: string, imports: ReadonlyMap<string, string>): TypeRef {
  const arr = /^Array<([\s\S]+)>$/.exec(type);
  if (arr) return { t: "array", item: typeRef((arr[1] as string).trim(), file, imports) };
  const map = /^\{\s*\[key: string\]:\s*([\s\S]+?);?\s*\}$/.exec(type);
  if (map) return { t: "map", value: typeRef((map[1] as string).trim(), file, imports) };
  const spec = imports.get(type);
  if (spec === undefined) return { t: "leaf" };
  const target = spec.startsWith(".") ? resolve(dirname(file), `${spec}.d.ts`) : packageFile(spec);
  // Aliases such as Quantity or IntOrString are scalars.
  return /export interface /.test(readFileSync(target, "utf8")) ? { t: "object", file: target } : { t: "leaf" };
}

function packageFile(spec: string): string {
  const m = /^(@[^/]+\/[^/]+)\/(.+)$/.exec(spec);
  if (!m) throw new SchemaSourceError(`unexpected import ${spec} in kubernetes-models`);
  const pkgDir = dirname(modelsRequire.resolve(`${m[1]}/package.json`));
  return join(pkgDir, `${m[2]}.d.ts`);
}
