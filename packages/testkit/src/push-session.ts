// Minimal registry HTTP for the image builders: Basic and Bearer flows, no dependency on oci-client.
import { Readable } from "node:stream";
import { request, type Dispatcher } from "undici";
import { parseChallenge } from "./challenge.js";
import { PushFailedError } from "./errors.js";

/** Where to push: a registry base URL and optional credentials (works with none/htpasswd/token modes). */
export interface PushTarget {
  url: string;
  username?: string;
  password?: string;
}

/** A buffered response; bodies from these endpoints are small (errors, manifests). */
export interface SessionResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

type Body = Buffer | Uint8Array | string | AsyncIterable<Uint8Array>;

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

function toBody(body: Body | undefined): string | Uint8Array | Readable | null {
  if (body === undefined) return null;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  return Readable.from(body, { objectMode: false });
}

/** One authenticated conversation with a registry for one scope (e.g. repository:<repo>:pull,push). */
export class PushSession {
  private auth: string | undefined;
  private authenticated = false;
  constructor(
    private readonly target: PushTarget,
    private readonly scope: string,
  ) {}

  private basic(): string | undefined {
    const { username, password } = this.target;
    return username === undefined ? undefined : `Basic ${Buffer.from(`${username}:${password ?? ""}`).toString("base64")}`;
  }

  /** Resolves an absolute URL for a path ("/v2/...") or a registry-given Location. */
  resolve(pathOrUrl: string): string {
    return new URL(pathOrUrl, this.target.url).toString();
  }

  /** Answers a 401 challenge: Basic uses the credentials, Bearer fetches a token from the realm. */
  private async answer(wwwAuthenticate: string | undefined): Promise<void> {
    const ch = parseChallenge(wwwAuthenticate);
    if (!ch || ch.scheme === "basic") {
      this.auth = this.basic();
      return;
    }
    if (ch.scheme !== "bearer" || !ch.params.realm) throw new PushFailedError(`unsupported auth challenge scheme "${ch.scheme}"`, 401);
    const realm = new URL(ch.params.realm);
    if (ch.params.service) realm.searchParams.set("service", ch.params.service);
    realm.searchParams.append("scope", this.scope);
    const basic = this.basic();
    const res = await request(realm, { headers: basic ? { authorization: basic } : {} });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new PushFailedError(`token request to ${realm.origin}${realm.pathname} answered ${res.statusCode}`, res.statusCode);
    const json = JSON.parse(text) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new PushFailedError("token response has neither token nor access_token");
    this.auth = `Bearer ${token}`;
  }

  /** Probes /v2/ once and prepares the Authorization header, so streamed bodies never need a retry. */
  async authenticate(): Promise<void> {
    if (this.authenticated) return;
    const res = await request(this.resolve("/v2/"), { method: "GET" });
    await res.body.dump();
    if (res.statusCode === 401) await this.answer(header(res.headers, "www-authenticate"));
    this.authenticated = true;
  }

  /** Sends a request with auth; a 401 on a replayable body re-authenticates once. */
  async send(method: string, pathOrUrl: string, opts: { headers?: Record<string, string>; body?: Body } = {}): Promise<SessionResponse> {
    await this.authenticate();
    const replayable = opts.body === undefined || typeof opts.body === "string" || opts.body instanceof Uint8Array;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...opts.headers };
      if (this.auth) headers.authorization = this.auth;
      const res = await request(this.resolve(pathOrUrl), {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: toBody(opts.body),
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode === 401 && replayable && attempt === 0) {
        await this.answer(header(res.headers, "www-authenticate"));
        continue;
      }
      const flat: Record<string, string | undefined> = {};
      for (const k of Object.keys(res.headers)) flat[k] = header(res.headers, k);
      return { status: res.statusCode, headers: flat, body };
    }
  }
}

/** Throws a PushFailedError unless `res.status` is one of `ok`; the message names the step and the registry's error. */
export function expectStatus(res: SessionResponse, ok: number[], what: string): void {
  if (ok.includes(res.status)) return;
  const detail = res.body.toString("utf8").slice(0, 300);
  throw new PushFailedError(`${what}: HTTP ${res.status} ${detail}`, res.status);
}
