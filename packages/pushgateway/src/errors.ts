// Typed Pushgateway errors with stable codes. A push that did not land must
// never look like success: the shell probe's failures went unnoticed for
// hours (docs/design.md, P1 and P5).
import { redactUrl, RegguardError } from "@regguard/edge";

const NO_QUERY_KEYS: ReadonlySet<string> = new Set();

/** What went wrong; the stable code is PGW_ and this. */
export type PushgatewayErrorKind = "INVALID_METRIC" | "INVALID_GROUP" | "REJECTED" | "TIMEOUT" | "UNREACHABLE" | "PROTOCOL" | "ABORTED";

/** The stable code callers and logs match on (edge/error.ts). */
export type PushgatewayErrorCode = `PGW_${PushgatewayErrorKind}`;

/** Details a Pushgateway error may carry. */
export interface PushgatewayErrorDetails {
  status?: number;
  url?: string;
  cause?: unknown;
}

/** Base class: stable code, HTTP status when there was an answer, the URL (the Pushgateway takes no credentials). */
export class PushgatewayError extends RegguardError<PushgatewayErrorCode> {
  readonly status: number | undefined;
  readonly url: string | undefined;
  constructor(code: PushgatewayErrorCode, message: string, details: PushgatewayErrorDetails = {}) {
    super(code, message, details);
    this.status = details.status;
    this.url = details.url === undefined ? undefined : stripUserinfo(details.url);
  }
}

const sub = (kind: PushgatewayErrorKind) =>
  class extends PushgatewayError {
    constructor(message: string, details: PushgatewayErrorDetails = {}) {
      super(`PGW_${kind}`, message, details);
    }
  };

/** A metric or label name, or a sample, that the text format cannot carry. */
export class InvalidMetricError extends sub("INVALID_METRIC") {}
/** A grouping key the Pushgateway would misread (bad label name, empty job). */
export class InvalidGroupError extends sub("INVALID_GROUP") {}
/** The Pushgateway answered with a non-2xx status (e.g. 400 for inconsistent metrics). */
export class PushRejectedError extends sub("REJECTED") {}
/** No answer within the timeout. */
export class PushTimeoutError extends sub("TIMEOUT") {}
/** Connection refused, reset, DNS: the request never got an answer. */
export class PushUnreachableError extends sub("UNREACHABLE") {}
/** The answer could not be understood (e.g. /api/v1/metrics not JSON). */
export class PushProtocolError extends sub("PROTOCOL") {}
/** The caller's signal aborted the request. */
export class PushAbortedError extends sub("ABORTED") {}

/**
 * A URL for messages: userinfo dropped and every query value masked. The Pushgateway's API takes
 * no query parameters, so any there came with the configured URL and may be a credential
 * (issue 12: PUSHGATEWAY_URL query values were logged verbatim). The shared redaction, showing no key.
 */
export function stripUserinfo(raw: string): string {
  return redactUrl(raw, NO_QUERY_KEYS);
}
