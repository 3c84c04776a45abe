// Typed errors with stable codes. Every URL in an error has its credentials
// and query secrets stripped; a message never carries a token or password.
import { redactUrl as safeUrl, RegguardError } from "@regguard/edge";

/** What went wrong; the stable code is OCI_ and this. */
export type OciErrorKind =
  | "INVALID_REFERENCE"
  | "INVALID_DIGEST"
  | "NOT_FOUND"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "DIGEST_MISMATCH"
  | "SIZE_MISMATCH"
  | "INVALID_MANIFEST"
  | "TOO_LARGE"
  | "UNTRUSTED_REALM"
  | "UNTRUSTED_LINK"
  | "PROTOCOL"
  | "HTTP_STATUS"
  | "TIMEOUT"
  | "TRANSPORT"
  | "ABORTED";

/** The stable code: OCI_ and the kind (edge/error.ts). */
export type OciErrorCode = `OCI_${OciErrorKind}`;

/** Details every registry error may carry. */
export interface OciErrorDetails {
  status?: number;
  url?: string;
  /** The registry's own error code, e.g. MANIFEST_UNKNOWN. */
  registryCode?: string;
  cause?: unknown;
}

/** Base class: code, HTTP status, credential-free URL, registry error code. */
export class OciError extends RegguardError<OciErrorCode> {
  readonly status: number | undefined;
  readonly url: string | undefined;
  readonly registryCode: string | undefined;
  constructor(code: OciErrorCode, message: string, details: OciErrorDetails = {}) {
    super(code, message, details);
    this.status = details.status;
    this.url = details.url === undefined ? undefined : safeUrl(details.url);
    this.registryCode = details.registryCode;
  }
}

const sub = (kind: OciErrorKind) =>
  class extends OciError {
    constructor(message: string, details: OciErrorDetails = {}) {
      super(`OCI_${kind}`, message, details);
    }
  };

/** A reference string that cannot be parsed. */
export class InvalidReferenceError extends sub("INVALID_REFERENCE") {}
/** A digest that is not algorithm:hex of the right length. */
export class InvalidDigestError extends sub("INVALID_DIGEST") {}
/** 404: manifest, blob or repository unknown. */
export class NotFoundError extends sub("NOT_FOUND") {}
/** 401 after authenticating (or no credentials for a private registry). */
export class UnauthorizedError extends sub("UNAUTHORIZED") {}
/** 403: authenticated but not allowed. */
export class ForbiddenError extends sub("FORBIDDEN") {}
/** Content does not hash to the digest it was asked or announced by. */
export class DigestMismatchError extends sub("DIGEST_MISMATCH") {}
/** A blob or manifest whose size differs from its descriptor. */
export class SizeMismatchError extends sub("SIZE_MISMATCH") {}
/** A manifest body that is not a usable image manifest or index. */
export class InvalidManifestError extends sub("INVALID_MANIFEST") {}
/** A body larger than the cap for its kind. */
export class TooLargeError extends sub("TOO_LARGE") {}
/** A Bearer realm this client refuses to send credentials to. */
export class UntrustedRealmError extends sub("UNTRUSTED_REALM") {}
/** A pagination Link pointing at another origin. */
export class UntrustedLinkError extends sub("UNTRUSTED_LINK") {}
/** The server broke the protocol (malformed JSON, missing header...). */
export class ProtocolError extends sub("PROTOCOL") {}
/** Any other unexpected status, after retries where they apply. */
export class HttpStatusError extends sub("HTTP_STATUS") {}
/** The per-request timeout elapsed. */
export class TimeoutError extends sub("TIMEOUT") {}
/** Connection refused/reset, DNS, TLS: the request never got an answer. */
export class TransportError extends sub("TRANSPORT") {}
/** The caller aborted (signal). */
export class AbortedError extends sub("ABORTED") {}

/** A URL for messages: the shared allow-list redaction (edge/redact.ts). */
export { safeUrl };

/** True for failures of the probe's own requests rather than registry content. */
export function isRequestFailure(err: unknown): boolean {
  return (
    err instanceof TimeoutError ||
    err instanceof TransportError ||
    err instanceof HttpStatusError ||
    err instanceof UnauthorizedError ||
    err instanceof ForbiddenError ||
    err instanceof ProtocolError ||
    err instanceof UntrustedRealmError ||
    err instanceof UntrustedLinkError
  );
}
