// One HTTP exchange with retries: builds the URL under baseUrl, sends `Authorization: token <PAT>`,
// applies the per-attempt timeout, asks retry.ts whether to go again, and turns a final answer that
// is not expected into the typed error for its status. Never puts the token anywhere but the header.
import { request, type Dispatcher } from "undici";
import { deadline, sleep } from "@regguard/edge";
import {
  ForgejoAbortedError,
  ForgejoForbiddenError,
  ForgejoHttpStatusError,
  ForgejoNotFoundError,
  ForgejoTimeoutError,
  ForgejoTransportError,
  ForgejoUnauthorizedError,
  safeUrl,
  type ForgejoError,
} from "./errors.js";
import { decideRetry, type BackoffOptions } from "./retry.js";

/** Told before each retry; `url` is credential-free. Lets a job log retries without seeing the token. */
export interface RetryInfo {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface TransportOptions {
  baseUrl: URL;
  token: string;
  timeoutMs: number;
  retries: number;
  backoff: BackoffOptions;
  userAgent: string;
  dispatcher?: Dispatcher;
  onRetry?: (info: RetryInfo) => void;
}

/** A buffered answer; Forgejo's API bodies are small JSON. */
export interface Answer {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

export interface SendOptions {
  query?: Record<string, string | number | undefined>;
  /** Statuses that are answers, not errors, for this call. */
  ok: number[];
  signal?: AbortSignal;
}

export class Transport {
  constructor(private readonly opts: TransportOptions) {}

  /** Scrubs the token out of any text that came from the server. */
  scrub(text: string): string {
    return text.split(this.opts.token).join("<redacted>");
  }

  url(path: string, query: SendOptions["query"] = {}): URL {
    const u = new URL(this.opts.baseUrl.toString());
    u.pathname = u.pathname.replace(/\/+$/, "") + path;
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  async send(method: Dispatcher.HttpMethod, path: string, opts: SendOptions): Promise<Answer> {
    const url = this.url(path, opts.query);
    const shown = safeUrl(url.toString());
    for (let attempt = 0; ; attempt++) {
      let answer: Answer | undefined;
      let failure: ForgejoError;
      try {
        answer = await this.once(method, url, shown, opts.signal);
        if (opts.ok.includes(answer.status)) return answer;
        failure = this.statusError(answer);
      } catch (e) {
        if (opts.signal?.aborted) throw new ForgejoAbortedError(`${method} ${shown}: aborted`, { method, url: shown, cause: opts.signal.reason });
        failure = e as ForgejoError;
      }
      const decision = decideRetry(attempt, this.opts.retries, { status: answer?.status, retryAfter: answer?.headers["retry-after"] }, this.opts.backoff);
      if (!decision.retry) throw failure;
      this.opts.onRetry?.({ method, url: shown, attempt: attempt + 1, delayMs: decision.delayMs, reason: failure.message });
      await sleep(decision.delayMs, opts.signal).catch((reason: unknown) => {
        throw new ForgejoAbortedError(`${method} ${shown}: aborted`, { method, url: shown, cause: reason });
      });
    }
  }

  private async once(method: Dispatcher.HttpMethod, url: URL, shown: string, signal: AbortSignal | undefined): Promise<Answer> {
    // One deadline per request, linked to the job's signal without AbortSignal.any (edge/deadline.ts).
    const timeout = deadline(this.opts.timeoutMs, signal);
    try {
      const res = await request(url, {
        method,
        headers: { authorization: `token ${this.opts.token}`, accept: "application/json", "user-agent": this.opts.userAgent },
        signal: timeout.signal,
        ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
      });
      const text = await res.body.text();
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      return { method, url: shown, status: res.statusCode, headers, text };
    } catch (e) {
      if (signal?.aborted) throw e;
      if (timeout.timedOut()) throw new ForgejoTimeoutError(`${method} ${shown}: no answer within ${this.opts.timeoutMs} ms`, { method, url: shown, cause: e });
      const reason = e instanceof Error ? ((e as { code?: string }).code ?? e.name) : "unknown";
      throw new ForgejoTransportError(`${method} ${shown}: ${reason}`, { method, url: shown, cause: e });
    } finally {
      timeout.done();
    }
  }

  /** Forgejo's JSON `message` (or the start of a text body), token-scrubbed. */
  serverMessage(a: Answer): string | undefined {
    let msg: unknown = a.text.trim();
    try {
      msg = (JSON.parse(a.text) as { message?: unknown }).message ?? msg;
    } catch {
      // not JSON: keep the text
    }
    const s = typeof msg === "string" ? this.scrub(msg).slice(0, 200) : undefined;
    return s === "" ? undefined : s;
  }

  /** The single status switch for final answers. */
  statusError(a: Answer): ForgejoError {
    const serverMessage = this.serverMessage(a);
    const details = { status: a.status, method: a.method, url: a.url, ...(serverMessage ? { serverMessage } : {}) };
    const text = `${a.method} ${a.url}: HTTP ${a.status}${serverMessage ? ` (${serverMessage})` : ""}`;
    if (a.status === 401) return new ForgejoUnauthorizedError(text, details);
    if (a.status === 403) return new ForgejoForbiddenError(text, details);
    if (a.status === 404) return new ForgejoNotFoundError(text, details);
    return new ForgejoHttpStatusError(text, details);
  }
}
