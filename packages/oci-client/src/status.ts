// Turns a non-success response into the typed error callers match on,
// carrying the registry's own error code (MANIFEST_UNKNOWN, ...).
import { ForbiddenError, HttpStatusError, NotFoundError, OciError, UnauthorizedError } from "./errors.js";
import type { Response } from "./transport.js";

/** The first OCI error code in a body, if the body is OCI error JSON. */
export function registryErrorCode(res: Response): string | undefined {
  if (res.body.length === 0 || res.body.length > 64 * 1024) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(res.body).toString("utf8")) as { errors?: Array<{ code?: unknown }> };
    const code = parsed.errors?.[0]?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Typed error for a response the caller did not expect; `what` names the object. */
export function statusError(res: Response, what: string): OciError {
  const registryCode = registryErrorCode(res);
  const details = { status: res.status, url: res.url, ...(registryCode ? { registryCode } : {}) };
  const suffix = registryCode ? ` (${registryCode})` : "";
  switch (res.status) {
    case 404:
      return new NotFoundError(`${what} not found: HTTP 404${suffix}`, details);
    case 401:
      return new UnauthorizedError(`${what}: HTTP 401 unauthorized${suffix}; check the registry username and password/token`, details);
    case 403:
      return new ForbiddenError(`${what}: HTTP 403 forbidden${suffix}; the credentials lack permission`, details);
    default:
      return new HttpStatusError(`${what}: unexpected HTTP ${res.status}${suffix}`, details);
  }
}

/** Throw unless the status is one of `ok`. */
export function expectStatus(res: Response, ok: readonly number[], what: string): Response {
  if (!ok.includes(res.status)) {
    res.stream?.destroy();
    throw statusError(res, what);
  }
  return res;
}
