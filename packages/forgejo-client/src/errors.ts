// Typed errors with stable codes. A URL in an error never carries credentials or token query
// parameters, and a server message is scrubbed of the client's token before it is kept.

/** What went wrong; the stable code is FORGEJO_ and this. Callers and logs match on codes, never on message text. */
export type ForgejoErrorKind =
  "INVALID_OPTION" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "HTTP_STATUS" | "PROTOCOL" | "TOTAL_COUNT_MISMATCH" | "TRANSPORT" | "TIMEOUT" | "ABORTED";

/** The stable code (edge/error.ts). */
export type ForgejoErrorCode = `FORGEJO_${ForgejoErrorKind}`;

/** What every Forgejo error may carry. */
export interface ForgejoErrorDetails {
  status?: number;
  method?: string;
  url?: string;
  /** Forgejo's own `message` from the JSON error body, token-scrubbed and truncated. */
  serverMessage?: string;
  cause?: unknown;
}

/** A URL for messages: the shared allow-list redaction (edge/redact.ts). */
import { redactUrl as safeUrl, RegguardError } from "@regguard/edge";
export { safeUrl };

/** Base class: code, HTTP status, method, credential-free URL and Forgejo's message. */
export class ForgejoError extends RegguardError<ForgejoErrorCode> {
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly serverMessage: string | undefined;
  constructor(code: ForgejoErrorCode, message: string, details: ForgejoErrorDetails = {}) {
    super(code, message, details);
    this.status = details.status;
    this.method = details.method;
    this.url = details.url === undefined ? undefined : safeUrl(details.url);
    this.serverMessage = details.serverMessage;
  }
}

const sub = (kind: ForgejoErrorKind) =>
  class extends ForgejoError {
    constructor(message: string, details: ForgejoErrorDetails = {}) {
      super(`FORGEJO_${kind}`, message, details);
    }
  };

/** An option that cannot work; the message names it. Thrown before any request. */
export class ForgejoInvalidOptionError extends sub("INVALID_OPTION") {}
/** 401: no token, or a token Forgejo does not know. */
export class ForgejoUnauthorizedError extends sub("UNAUTHORIZED") {}
/** 403: the token lacks a scope, or its user has no write access on the owner. */
export class ForgejoForbiddenError extends sub("FORBIDDEN") {}
/** 404: owner, package or version unknown. */
export class ForgejoNotFoundError extends sub("NOT_FOUND") {}
/** Any other unexpected status, after retries where they apply (5xx). */
export class ForgejoHttpStatusError extends sub("HTTP_STATUS") {}
/** The answer did not have the documented shape (JSON, fields, headers). */
export class ForgejoProtocolError extends ForgejoError {
  constructor(message: string, details: ForgejoErrorDetails = {}, code: "PROTOCOL" | "TOTAL_COUNT_MISMATCH" = "PROTOCOL") {
    super(`FORGEJO_${code}`, message, details);
  }
}
/** Pages did not add up to X-Total-Count (the listing changed while paging, or the server lied). */
export class ForgejoTotalCountMismatchError extends ForgejoProtocolError {
  readonly expected: number;
  readonly received: number;
  constructor(message: string, expected: number, received: number, details: ForgejoErrorDetails = {}) {
    super(message, details, "TOTAL_COUNT_MISMATCH");
    this.expected = expected;
    this.received = received;
  }
}
/** The request never got an HTTP answer (connection refused/reset, DNS...), after retries. */
export class ForgejoTransportError extends ForgejoError {
  constructor(message: string, details: ForgejoErrorDetails = {}, code: "TRANSPORT" | "TIMEOUT" = "TRANSPORT") {
    super(`FORGEJO_${code}`, message, details);
  }
}
/** No answer within timeoutMs, after retries. */
export class ForgejoTimeoutError extends ForgejoTransportError {
  constructor(message: string, details: ForgejoErrorDetails = {}) {
    super(message, details, "TIMEOUT");
  }
}
/** The caller's AbortSignal fired; never retried. */
export class ForgejoAbortedError extends sub("ABORTED") {}
