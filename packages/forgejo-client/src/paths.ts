// URL path segments as Forgejo expects them: one segment per name, so `/` in a package name
// travels as %2F (docs/design.md, R5: names with `/` broke the shell version); `:` and `@` stay readable.

/** Encodes one path segment. */
export function segment(s: string): string {
  if (s === "" || s === "." || s === "..") throw new RangeError(`"${s}" cannot be a path segment`);
  return encodeURIComponent(s).replace(/%3A/gi, ":").replace(/%40/gi, "@");
}

/** /api/v1/packages/{owner}/container/{name}/{version} */
export const versionPath = (owner: string, name: string, version: string): string =>
  `/api/v1/packages/${segment(owner)}/container/${segment(name)}/${segment(version)}`;
