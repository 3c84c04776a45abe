// ForgejoClient options, validated where they enter: every problem names the option.
import type { Dispatcher } from "undici";
import { ForgejoInvalidOptionError } from "./errors.js";
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, type BackoffOptions } from "./retry.js";
import type { RetryInfo, TransportOptions } from "./transport.js";

export interface ForgejoClientOptions {
  /** Forgejo's root, e.g. http://forgejo.forgejo.svc.cluster.local (a sub-path is kept). No credentials in it. */
  baseUrl: string;
  /** Personal access token; sent only as `Authorization: token <PAT>`. */
  token: string;
  /** Per-attempt timeout; default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt on transport errors and 5xx; default 3. */
  retries?: number;
  /** Backoff tuning (tests shrink it). */
  backoff?: BackoffOptions;
  userAgent?: string;
  /** An undici dispatcher (custom CA, proxy). */
  dispatcher?: Dispatcher;
  onRetry?: (info: RetryInfo) => void;
}

const nonNegInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

export function toTransportOptions(o: ForgejoClientOptions): TransportOptions {
  const problems: string[] = [];
  let baseUrl: URL | undefined;
  try {
    baseUrl = new URL(o.baseUrl);
    if (baseUrl.protocol !== "http:" && baseUrl.protocol !== "https:") problems.push("baseUrl must be http:// or https://");
    if (baseUrl.username || baseUrl.password) problems.push("baseUrl must not carry credentials; pass token instead");
    if (baseUrl.search || baseUrl.hash) problems.push("baseUrl must not have a query or fragment");
  } catch {
    problems.push("baseUrl must be an absolute URL");
  }
  if (typeof o.token !== "string" || o.token.trim() === "") problems.push("token must be a non-empty string");
  else if (/\s/.test(o.token)) problems.push("token must not contain whitespace");
  if (o.timeoutMs !== undefined && !(nonNegInt(o.timeoutMs) && o.timeoutMs > 0)) problems.push("timeoutMs must be a positive integer");
  if (o.retries !== undefined && !nonNegInt(o.retries)) problems.push("retries must be a non-negative integer");
  for (const k of ["baseMs", "maxMs"] as const) {
    const v = o.backoff?.[k];
    if (v !== undefined && !nonNegInt(v)) problems.push(`backoff.${k} must be a non-negative integer`);
  }
  if (problems.length > 0 || !baseUrl) throw new ForgejoInvalidOptionError(problems.join("; "));
  return {
    baseUrl,
    token: o.token,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: o.retries ?? DEFAULT_RETRIES,
    backoff: o.backoff ?? {},
    userAgent: o.userAgent ?? "regguard-forgejo-client",
    ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
    ...(o.onRetry ? { onRetry: o.onRetry } : {}),
  };
}
