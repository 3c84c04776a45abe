// PUT (replace a whole group), POST (replace same-named series), DELETE a
// group, and read back what a group holds. Every call has a deadline and
// fails with a typed error; nothing is retried here, the caller decides
// (retryPush in retry.ts).
import { deadline } from "@regguard/edge";
import { renderExposition, EXPOSITION_CONTENT_TYPE, type MetricFamily } from "./exposition.js";
import { PushAbortedError, PushProtocolError, PushRejectedError, PushTimeoutError, PushUnreachableError, stripUserinfo } from "./errors.js";
import { groupLabels, groupPath, type Group } from "./grouping.js";
import { parseGroups, type PushedGroup } from "./read.js";

/** A cron job's push should never hang the job; a Pushgateway answers in milliseconds. */
export const DEFAULT_PUSH_TIMEOUT_MS = 10_000;

/** Where the Pushgateway is and how long to wait for it. */
export interface PushgatewayOptions {
  /** Base URL, e.g. http://pushgateway.monitoring:9091 (a path prefix is kept). */
  url: string | URL;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A client for one Pushgateway. */
export class PushgatewayClient {
  readonly base: URL;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;

  constructor(options: PushgatewayOptions) {
    this.base = new URL(String(options.url));
    if (this.base.protocol !== "http:" && this.base.protocol !== "https:") throw new TypeError(`pushgateway url must be http(s), got ${this.base.protocol}`);
    if (this.base.username || this.base.password) throw new TypeError("pushgateway url must not contain credentials");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new TypeError("timeoutMs must be a positive number");
    this.signal = options.signal;
  }

  /** Full URL of a group. */
  groupUrl(group: Group): URL {
    const url = new URL(this.base);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}${groupPath(group)}`;
    return url;
  }

  /** Replace every series of the group with `families` (what a run reports, nothing left over). */
  async put(group: Group, families: readonly MetricFamily[]): Promise<void> {
    await this.send("PUT", this.groupUrl(group), await renderExposition(families));
  }

  /** Replace only the same-named series of the group. */
  async post(group: Group, families: readonly MetricFamily[]): Promise<void> {
    await this.send("POST", this.groupUrl(group), await renderExposition(families));
  }

  /** Remove the whole group (a retired job's group, or its stale alerts fire forever). */
  async delete(group: Group): Promise<void> {
    await this.send("DELETE", this.groupUrl(group));
  }

  /** Every group the Pushgateway holds, from /api/v1/metrics. */
  async groups(): Promise<PushedGroup[]> {
    const url = new URL(this.base);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/v1/metrics`;
    const text = await this.send("GET", url);
    try {
      return parseGroups(JSON.parse(text));
    } catch (e) {
      throw new PushProtocolError(`pushgateway ${stripUserinfo(url.toString())}: /api/v1/metrics is not the expected JSON`, { url: url.toString(), cause: e });
    }
  }

  /** The group with exactly these labels, or undefined. */
  async group(group: Group): Promise<PushedGroup | undefined> {
    const want = groupLabels(group);
    const keys = Object.keys(want);
    return (await this.groups()).find((g) => Object.keys(g.labels).length === keys.length && keys.every((k) => g.labels[k] === want[k]));
  }

  private async send(method: string, url: URL, body?: string): Promise<string> {
    const where = stripUserinfo(url.toString());
    // One deadline per request, linked to the job's signal without AbortSignal.any (edge/deadline.ts).
    const timeout = deadline(this.timeoutMs, this.signal);
    const signal = timeout.signal;
    let res: globalThis.Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        signal,
        redirect: "error",
        ...(body !== undefined ? { body, headers: { "content-type": EXPOSITION_CONTENT_TYPE } } : {}),
      });
      text = await readCapped(res, MAX_ANSWER_BYTES);
    } catch (e) {
      if (e instanceof AnswerTooLarge) {
        throw new PushProtocolError(`${method} ${where}: the answer is larger than ${MAX_ANSWER_BYTES} bytes; not read further`, { url: where });
      }
      if (this.signal?.aborted) throw new PushAbortedError(`${method} ${where} aborted`, { url: where, cause: e });
      if (timeout.timedOut()) throw new PushTimeoutError(`${method} ${where}: no answer within ${this.timeoutMs} ms`, { url: where, cause: e });
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new PushUnreachableError(`${method} ${where} failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`, { url: where, cause: e });
    } finally {
      timeout.done();
    }
    if (res.status < 200 || res.status > 299) {
      throw new PushRejectedError(`${method} ${where}: HTTP ${res.status} ${text.trim().slice(0, 300)}`.trim(), { url: where, status: res.status });
    }
    return text;
  }
}

/**
 * The most of an answer this client reads. A real /api/v1/metrics of a busy Pushgateway is a few
 * MiB; a 3 GB answer once aborted V8 before the probe could push anything (issue 12).
 */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

class AnswerTooLarge extends Error {}

/** The body as text, refusing (and cancelling) it once it passes `cap` bytes. */
async function readCapped(res: globalThis.Response, cap: number): Promise<string> {
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      throw new AnswerTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}
