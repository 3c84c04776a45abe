// The one redaction of URLs and URL-shaped text, for every log line and every error message.
// An allow-list in the style of go-containerregistry's internal/redact: userinfo is dropped and
// every query value is masked unless its key is one the registry and Forgejo APIs use for paging,
// uploads and token scopes. So a `?token=`, a signed storage redirect (`X-Amz-Signature=...`) or a
// credential someone put in PUSHGATEWAY_URL's query never reaches a log (issue 12), whatever the
// parameter is called; a deny-list of names (`token|secret|...`) misses the ones nobody thought of.

/** Query keys whose values are shown: /v2 paging and uploads, token scopes, Forgejo's list API. */
export const SHOWN_QUERY_KEYS: ReadonlySet<string> = new Set(["n", "last", "digest", "mount", "from", "scope", "service", "page", "limit", "type", "q"]);

/** A URL for messages: userinfo dropped, every query value not on the allow-list masked (`***`). */
export function redactUrl(raw: string, shown: ReadonlySet<string> = SHOWN_QUERY_KEYS): string {
  try {
    const url = new URL(raw);
    url.username = "";
    url.password = "";
    for (const key of [...new Set(url.searchParams.keys())]) {
      if (!shown.has(key.toLowerCase())) url.searchParams.set(key, "***");
    }
    return url.toString();
  } catch {
    return redactText(raw);
  }
}

/** Userinfo inside any URL-shaped text (`scheme://user:pass@host`) replaced by `***`. */
export function redactText(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, "//***@");
}
