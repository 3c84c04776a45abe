// Every registry request goes through here: concurrency limit, timeout,
// authentication (Basic, Bearer challenge), redirects without credentials,
// and retries. Callers get the final response or a typed error.
import type { Readable } from "node:stream";
import { Agent, request, type Dispatcher } from "undici";
import { RegguardError } from "@regguard/edge";
import { RequestCancel } from "./cancel.js";
import { parseChallenge } from "./challenge.js";
import { Limiter } from "./limiter.js";
import {
  AbortedError,
  ForbiddenError,
  ProtocolError,
  TimeoutError,
  TooLargeError,
  TransportError,
  UnauthorizedError,
  UntrustedLinkError,
  safeUrl,
} from "./errors.js";
import { DEFAULT_RETRIES, DEFAULT_RETRY_BASE_MS, withRetries, type RetryPolicy } from "./retry.js";
import { TokenSource } from "./tokens.js";

/** How to reach and authenticate to one registry. */
export interface TransportOptions {
  /** Registry base URL, e.g. https://forgejo.example (no path needed). */
  url: string | URL;
  username?: string;
  password?: string;
  /** Refuse a Bearer realm on another origin (in-cluster jobs; the hairpin incident). */
  pinRealm?: boolean;
  /** Requests in flight to this registry. */
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  retryBaseMs?: number;
  userAgent?: string;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  /**
   * Read repositories whose names carry capitals (tags, manifests, blobs; never a push). For a
   * sync source: distribution's grammar has none, but a registry may have stored them before it
   * did, and the sync job lower-cases every name on its way to the target (jobs/sync/src/names.ts).
   */
  readCapitalisedNames?: boolean;
}

/** One request as callers describe it. */
export interface RequestSpec {
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path under the registry, or an absolute same-registry URL (upload Locations). */
  path: string;
  /** Bearer scope, e.g. repository:viktor/app:pull. */
  scope: string;
  headers?: Record<string, string>;
  /** Bytes, or a factory so a streamed body can be sent again on retry. */
  body?: Uint8Array | (() => Readable);
  /** Buffer the body up to this many bytes (default) or hand back the stream. */
  maxBytes?: number;
  stream?: boolean;
  /**
   * Refuse a redirect to another origin instead of following it. Blobs legitimately redirect to
   * object storage; a listing (catalog, tags) never should, and following one would let another
   * host feed the walk names, as an off-origin `Link` would (listing.ts).
   */
  sameOrigin?: boolean;
}

/** A final response. */
export interface Response {
  status: number;
  headers: Record<string, string | undefined>;
  url: string;
  body: Uint8Array;
  stream?: Readable;
}

export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Error bodies and listings are small; refuse anything bigger. */
export const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/** Counters for reports and benchmarks. */
export interface TransportStats {
  requests: number;
  retries: number;
  tokenRequests: number;
}

/** The request pipeline for one registry. */
export class Transport {
  readonly base: URL;
  /** The name grammar reads are held to (TransportOptions.readCapitalisedNames). */
  readonly readNames: { anyCase: boolean };
  private readonly limit: Limiter;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly basic: string | undefined;
  private readonly tokens: TokenSource;
  private bearer: { realm: string; service: string } | undefined;
  private readonly opts: Required<Pick<TransportOptions, "timeoutMs" | "userAgent">> & { signal?: AbortSignal };
  private readonly policy: RetryPolicy;
  private counters = { requests: 0, retries: 0 };
  /** Buffered requests in flight, aborted together when the caller's signal fires. */
  private readonly active = new Set<RequestCancel>();

  constructor(options: TransportOptions) {
    this.base = new URL(String(options.url));
    if (this.base.protocol !== "http:" && this.base.protocol !== "https:") throw new TypeError(`registry url must be http(s), got ${this.base.protocol}`);
    if (this.base.username || this.base.password) throw new TypeError("registry url must not contain credentials; pass username and password");
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError("concurrency must be a positive integer");
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new TypeError("timeoutMs must be a positive number");
    this.limit = new Limiter(concurrency);
    this.readNames = { anyCase: options.readCapitalisedNames === true };
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
    this.basic =
      options.username !== undefined && options.username !== "" ? Buffer.from(`${options.username}:${options.password ?? ""}`).toString("base64") : undefined;
    this.opts = { timeoutMs, userAgent: options.userAgent ?? "regguard", ...(options.signal ? { signal: options.signal } : {}) };
    this.policy = {
      retries: options.retries ?? DEFAULT_RETRIES,
      baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    options.signal?.addEventListener(
      "abort",
      () => {
        for (const c of this.active) c.abort(options.signal?.reason);
      },
      { once: true },
    );
    this.tokens = new TokenSource({
      registry: this.base,
      ...(this.basic ? { basic: this.basic } : {}),
      pinRealm: options.pinRealm ?? false,
      fetch: (url, headers, maxBytes) => this.fetchToken(url, headers, maxBytes),
    });
  }

  get stats(): TransportStats {
    return { ...this.counters, tokenRequests: this.tokens.requests };
  }

  /** Send with the concurrency limit; the body is read inside the slot. */
  send(spec: RequestSpec): Promise<Response> {
    const buffered = spec.stream ? { ...spec, stream: false } : spec;
    return this.limit.run(() => this.attempts(buffered));
  }

  /** Like send, but for streams: resolves as soon as headers arrive. */
  async open(spec: RequestSpec): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      this.limit
        .run(async () => {
          let res: Response;
          try {
            res = await this.attempts({ ...spec, stream: true });
          } catch (e) {
            reject(e);
            return;
          }
          resolve(res);
          if (res.stream && !res.stream.destroyed) await new Promise<void>((done) => res.stream?.once("close", done));
        })
        .catch(reject);
    });
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Every try sends the body afresh: bytes, or a function that opens a new stream per try. */
  private attempts(spec: RequestSpec): Promise<Response> {
    return withRetries(this.policy, () => this.authenticated(spec), this.retryHooks);
  }

  /** The same two hooks for every request's retry loop (one object, not two closures per request). */
  private readonly retryHooks = {
    discard: (res: Response) => discard(res.stream),
    onRetry: () => void this.counters.retries++,
  };

  /** Token requests run inside the caller's slot, so they take none of their own. */
  private fetchToken(url: URL, headers: Record<string, string>, maxBytes: number): Promise<Response> {
    const spec: RequestSpec = { method: "GET", path: url.toString(), scope: "", headers, maxBytes };
    return withRetries(this.policy, () => this.exchange(url, "GET", spec, undefined, undefined), { onRetry: () => this.counters.retries++ });
  }

  private async authenticated(spec: RequestSpec): Promise<Response> {
    // Anonymous registries (registry:2 in the bake) skip the await: every request pays for one.
    let auth = this.bearer || this.basic ? await this.authorization(spec.scope) : undefined;
    const res = await this.fromRegistry(await this.follow(spec, auth));
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers["www-authenticate"]);
    if (challenge?.scheme === "bearer" && challenge.params.realm) {
      const realm = challenge.params.realm;
      const service = challenge.params.service ?? "";
      if (this.bearer && auth?.startsWith("Bearer")) this.tokens.forget(this.bearer.realm, this.bearer.service, spec.scope);
      this.bearer = { realm, service };
      const token = await this.tokens.get(realm, service, spec.scope || challenge.params.scope || "");
      auth = `Bearer ${token}`;
    } else {
      // A Basic challenge is the answer: Basic credentials, when there are any, went with the
      // first request already (authorization() above), so asking again would change nothing.
      return res;
    }
    discard(res.stream);
    // Retry once with fresh credentials; a second 401 is the caller's answer.
    return this.fromRegistry(await this.follow(spec, auth));
  }

  /**
   * A 401/403 after a redirect to another origin (object storage) is that
   * host's own refusal: its challenge must not pick a realm, or a storage host
   * that names its own realm is sent the registry's username and password.
   */
  private fromRegistry(res: Response): Response {
    if (res.status !== 401 && res.status !== 403) return res;
    const final = new URL(res.url);
    if (final.origin === this.base.origin) return res;
    discard(res.stream);
    const Refusal = res.status === 401 ? UnauthorizedError : ForbiddenError;
    throw new Refusal(
      `the registry redirected to ${final.host}, which answered HTTP ${res.status}; ${final.host} is not the registry, so no credentials were sent to it (an expired or unsigned storage URL?)`,
      { status: res.status, url: res.url },
    );
  }

  private async authorization(scope: string): Promise<string | undefined> {
    if (this.bearer) return `Bearer ${await this.tokens.get(this.bearer.realm, this.bearer.service, scope)}`;
    return this.basic ? `Basic ${this.basic}` : undefined;
  }

  /** One exchange plus redirects; Authorization never leaves the registry's origin. */
  private async follow(spec: RequestSpec, auth: string | undefined): Promise<Response> {
    let url = /^https?:\/\//.test(spec.path) ? new URL(spec.path) : new URL(spec.path, this.base);
    if (url.origin !== this.base.origin) throw new TransportError(`refusing to send a registry request to another origin: ${safeUrl(url.toString())}`);
    let method = spec.method;
    for (let hop = 0; ; hop++) {
      const sameOrigin = url.origin === this.base.origin;
      this.counters.requests++;
      const res = await this.exchange(url, method, spec, sameOrigin ? auth : undefined, hop === 0 ? spec.body : undefined);
      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(res.status) || !location || (method !== "GET" && method !== "HEAD")) return res;
      discard(res.stream);
      // A redirect loop answers the same way every time: final, never retried (issue 12).
      if (hop >= MAX_REDIRECTS) throw new ProtocolError(`too many redirects (more than ${MAX_REDIRECTS}) from ${safeUrl(spec.path)}`, { url: url.toString() });
      const next = new URL(location, url);
      if (spec.sameOrigin && next.origin !== this.base.origin) {
        throw new UntrustedLinkError(`${safeUrl(url.toString())} redirected to another origin (${next.origin}); refusing to follow it`, {
          url: url.toString(),
        });
      }
      url = next;
      if (res.status === 303) method = "GET";
    }
  }

  private async exchange(url: URL, method: string, spec: RequestSpec, auth: string | undefined, body: RequestSpec["body"]): Promise<Response> {
    const headers: Record<string, string> = { "user-agent": this.opts.userAgent, ...spec.headers };
    if (auth) headers.authorization = auth;
    // Not AbortSignal.any (it leaks on Node 20 with a long-lived signal,
    // nodejs/node#55351), and not one listener per request on the caller's
    // signal: the constructor's single listener aborts every active request.
    // Not AbortSignal.timeout either: its timer outlives the request, so a walk
    // of 4,000 requests a second held 60,000 live timers and their controllers
    // (issue 12); this one is cleared as soon as the request is done. And not an
    // AbortController: a RequestCancel (cancel.ts) is the emitter undici also takes.
    const controller = new RequestCancel();
    const timeout = { fired: false };
    const timer = setTimeout(() => {
      timeout.fired = true;
      controller.abort(new DOMException(`timed out after ${this.opts.timeoutMs} ms`, "TimeoutError"));
    }, this.opts.timeoutMs);
    if (this.opts.signal?.aborted) controller.abort(this.opts.signal.reason);
    this.active.add(controller);
    const release = () => {
      clearTimeout(timer);
      this.active.delete(controller);
    };
    const payload = typeof body === "function" ? body() : body;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
        dispatcher: this.dispatcher,
        // undici closes the connection after a HEAD unless told otherwise (undici#258); keep it alive.
        ...(method === "HEAD" ? { reset: false } : {}),
        // Streams get idle timeouts instead of a deadline: a 2 GiB layer takes a while.
        ...(spec.stream
          ? { headersTimeout: this.opts.timeoutMs, bodyTimeout: this.opts.timeoutMs, ...(this.opts.signal ? { signal: this.opts.signal } : {}) }
          : { signal: controller }),
      });
    } catch (e) {
      release();
      throw this.failure(e, url, timeout);
    }
    if (spec.stream) release();
    // Repeated headers arrive as arrays; joined in place (undici's object is ours to keep).
    const flat = res.headers as Record<string, string | undefined>;
    for (const k in res.headers) {
      const v = res.headers[k];
      if (Array.isArray(v)) flat[k] = v.join(", ");
    }
    if (spec.stream && res.statusCode >= 200 && res.statusCode < 300 && method !== "HEAD") {
      return { status: res.statusCode, headers: flat, url: url.toString(), body: new Uint8Array(), stream: res.body };
    }
    const max = spec.maxBytes ?? DEFAULT_MAX_BODY;
    const declared = Number(flat["content-length"]);
    if (Number.isFinite(declared) && declared > max && method !== "HEAD") {
      discard(res.body);
      release();
      throw new TooLargeError(`response from ${safeUrl(url.toString())} is ${declared} bytes; the limit is ${max}`, {
        url: url.toString(),
        status: res.statusCode,
      });
    }
    try {
      const body =
        Number.isFinite(declared) || method === "HEAD"
          ? // Length known and under the cap (checked above): undici's own consume path, without the
            // stream machinery an async iterator costs per response (issue 12, item 11).
            await res.body.bytes()
          : await readCapped(res.body, max, url);
      return { status: res.statusCode, headers: flat, url: url.toString(), body };
    } catch (e) {
      if (e instanceof TooLargeError) throw e;
      throw this.failure(e, url, timeout);
    } finally {
      release();
    }
  }

  private failure(e: unknown, url: URL, timeout: { fired: boolean }): Error {
    const where = safeUrl(url.toString());
    if (this.opts.signal?.aborted) return new AbortedError(`request to ${where} aborted`, { url: where, cause: e });
    // A streamed body that failed (an upload whose source answered 404, lied about a digest or
    // stalled) fails the request with the source's own typed error: passed on as it is, so the
    // message names what failed, not this request, and a retry follows its kind (a stall is tried
    // again; a 404 is an answer). Errors of this request itself come from undici, never typed.
    if (e instanceof RegguardError) return e;
    const name = (e as { name?: string; code?: string }).name ?? "";
    const code = (e as { code?: string }).code ?? "";
    if (timeout.fired || name === "TimeoutError" || code.includes("TIMEOUT")) {
      return new TimeoutError(`request to ${where} timed out after ${this.opts.timeoutMs} ms`, { url: where, cause: e });
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? code ?? "";
    return new TransportError(`request to ${where} failed: ${detail || (e as Error).message}`, { url: where, cause: e });
  }
}

/**
 * Drop a response body we will not read. undici's body stream, destroyed before its end, emits
 * an "aborted" error (lib/api/readable.js, destroy); with no listener that is an uncaught
 * exception, which ended a process instead of giving the caller its TooLargeError.
 */
function discard(body: Readable | undefined): void {
  if (!body || body.destroyed) return;
  body.on("error", () => undefined);
  body.destroy();
}

async function readCapped(body: Readable, max: number, url: URL): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) {
      discard(body);
      throw new TooLargeError(`response from ${safeUrl(url.toString())} exceeds ${max} bytes`, { url: url.toString() });
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}
