// Parses Docker token-auth scopes ("repository:name:pull,push") into the JWT `access` claim shape.

/** One grant in the JWT `access` claim, as distribution's token auth reads it. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/**
 * Parses one scope. The name may itself contain ':' (a host:port prefix), so type is the
 * first segment, actions the last, and the name everything between.
 */
export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last <= first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(",")
    .filter((a) => a !== "");
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

/** Parses every `scope` query value (repeated, or space-separated within one value). */
export function parseScopes(values: string[]): AccessEntry[] {
  const out: AccessEntry[] = [];
  for (const value of values) {
    for (const part of value.split(" ")) {
      const entry = part === "" ? undefined : parseScope(part);
      if (entry) out.push(entry);
    }
  }
  return out;
}
