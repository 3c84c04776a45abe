// Bearer tokens per realm+service+scope, cached until shortly before expiry.
import { ProtocolError, TooLargeError, UnauthorizedError, UntrustedRealmError, safeUrl } from "./errors.js";

/** Distribution's token spec: assume 60 s when the server gives no expiry. */
export const DEFAULT_TOKEN_TTL_S = 60;
/** A token response is a few KiB of JSON; anything near this is not a token. */
export const MAX_TOKEN_BYTES = 1024 * 1024;

/**
 * One GET of a token URL, never following redirects. The transport supplies it
 * so a token request gets the same timeout, abort, retries and body cap as
 * every registry request.
 */
export type TokenFetch = (url: URL, headers: Record<string, string>, maxBytes: number) => Promise<{ status: number; body: Uint8Array }>;

export interface TokenSourceOptions {
  registry: URL;
  basic?: string;
  /** Refuse realms on another origin than the registry (hairpin incident). */
  pinRealm: boolean;
  fetch: TokenFetch;
}

/** Fetches and caches Bearer tokens; never sends credentials to an untrusted realm. */
export class TokenSource {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<string>>();
  requests = 0;

  constructor(private readonly opts: TokenSourceOptions) {}

  /** A cached token if still fresh. */
  cached(realm: string, service: string, scope: string): string | undefined {
    const hit = this.cache.get(`${realm}|${service}|${scope}`);
    return hit && hit.expiresAt > Date.now() ? hit.token : undefined;
  }

  /** Drop a token the registry rejected. */
  forget(realm: string, service: string, scope: string): void {
    this.cache.delete(`${realm}|${service}|${scope}`);
  }

  /** A token for the scope, fetched once even when many requests ask at once. */
  async get(realm: string, service: string, scope: string): Promise<string> {
    const key = `${realm}|${service}|${scope}`;
    const fresh = this.cached(realm, service, scope);
    if (fresh) return fresh;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(realm, service, scope).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private checkRealm(realm: string): URL {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new UntrustedRealmError(`the registry's token realm ${JSON.stringify(realm.slice(0, 200))} is not a URL`);
    }
    const reg = this.opts.registry;
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new UntrustedRealmError(`token realm ${safeUrl(realm)} is not http(s)`);
    }
    if (url.protocol === "http:" && reg.protocol === "https:") {
      throw new UntrustedRealmError(`token realm ${safeUrl(realm)} would downgrade https credentials to plain http`);
    }
    if (this.opts.pinRealm && url.origin !== reg.origin) {
      throw new UntrustedRealmError(
        `token realm ${url.origin} is not the registry's own origin ${reg.origin}; realm pinning is on, so no credentials were sent (point the job at the registry's public name, or turn pinning off)`,
      );
    }
    return url;
  }

  private async fetch(realm: string, service: string, scope: string): Promise<string> {
    const url = this.checkRealm(realm);
    if (service) url.searchParams.set("service", service);
    // Several scopes (a cross-repository mount needs push on one and pull on the other) are one
    // `scope` parameter each, as the distribution token spec asks.
    if (scope) for (const one of scope.split(" ")) url.searchParams.append("scope", one);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.opts.basic) headers.authorization = `Basic ${this.opts.basic}`;
    this.requests++;
    let res: { status: number; body: Uint8Array };
    try {
      res = await this.opts.fetch(url, headers, MAX_TOKEN_BYTES);
    } catch (e) {
      if (e instanceof TooLargeError) {
        throw new TooLargeError(`token service at ${url.origin} sent more than ${MAX_TOKEN_BYTES} bytes; refusing it as a token`, {
          url: url.toString(),
          cause: e,
        });
      }
      throw e;
    }
    const text = Buffer.from(res.body).toString("utf8");
    if (res.status === 401 || res.status === 403) {
      throw new UnauthorizedError(`the token service at ${url.origin} refused the credentials (HTTP ${res.status})`, {
        status: res.status,
        url: url.toString(),
      });
    }
    if (res.status !== 200) {
      throw new ProtocolError(`token service at ${url.origin} answered HTTP ${res.status}`, { status: res.status, url: url.toString() });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ProtocolError(`token service at ${url.origin} answered with something that is not JSON`, { url: url.toString() });
    }
    const token = typeof body.token === "string" && body.token ? body.token : typeof body.access_token === "string" ? body.access_token : undefined;
    if (!token) throw new ProtocolError(`token service at ${url.origin} returned neither token nor access_token`, { url: url.toString() });
    const ttl = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : (jwtTtl(token) ?? DEFAULT_TOKEN_TTL_S);
    // Renew a little early so a token never expires mid-request.
    this.cache.set(`${realm}|${service}|${scope}`, { token, expiresAt: Date.now() + ttl * 900 });
    return token;
  }
}

/** Seconds left on a JWT's exp claim, when the token is a readable JWT. */
function jwtTtl(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    if (typeof claims.exp !== "number") return undefined;
    const left = claims.exp - Date.now() / 1000;
    return left > 0 ? left : undefined;
  } catch {
    return undefined;
  }
}
