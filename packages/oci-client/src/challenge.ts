// WWW-Authenticate parsing: `Bearer realm="...",service="...",scope="..."`
// or `Basic realm="..."`.

/** One parsed challenge. */
export interface Challenge {
  scheme: "bearer" | "basic" | "other";
  params: Record<string, string>;
}

/** Parse the first challenge of a WWW-Authenticate header value. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const name = (m[1] as string).toLowerCase();
  const scheme = name === "bearer" ? "bearer" : name === "basic" ? "basic" : "other";
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  const rest = m[2] as string;
  re.lastIndex = 0;
  for (let p = re.exec(rest); p; p = re.exec(rest)) {
    params[(p[1] as string).toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : (p[3] ?? "");
    if (re.lastIndex >= rest.length) break;
  }
  return { scheme, params };
}
