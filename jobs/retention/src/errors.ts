// Retention's exit codes and typed stops. 0: done. 1: a failure (a delete
// refused, a package frozen, a kept image broken, the guard tripped).
// 2: configuration or preflight (the run could not have been right), an
// unreachable Forgejo at preflight included.
import { EXIT, ExitError } from "@regguard/job-runtime";

/** Exit codes, decided here and nowhere else. */
export const RETENTION_EXIT = { ok: EXIT.ok, failed: EXIT.failed, config: EXIT.config, internal: EXIT.internal, stopped: EXIT.stopped } as const;

/** What stopped the run; the stable code is RETENTION_ and this. */
export type RetentionErrorKind =
  | "PREFLIGHT_IDENTITY"
  | "PREFLIGHT_ACCESS"
  | "PREFLIGHT_OWNER"
  | "PREFLIGHT_SCOPE"
  | "PREFLIGHT_PROBE"
  | "FORGEJO_UNAVAILABLE"
  | "INVENTORY"
  | "IN_USE_UNKNOWN";

/** The stable code carried by retention's own errors (edge/error.ts). */
export type RetentionErrorCode = `RETENTION_${RetentionErrorKind}`;

/** An ExitError with a stable code for logs and tests. */
export class RetentionError extends ExitError<RetentionErrorCode> {
  constructor(kind: RetentionErrorKind, exitCode: number, message: string, options?: { cause?: unknown }) {
    super(exitCode, message, `RETENTION_${kind}`, options);
    this.name = "RetentionError";
  }
}

/** The token cannot delete the owner's versions (wrong user, no write:package), or the preflight could not tell. Exit 2. */
export class PreflightError extends RetentionError {
  constructor(code: "PREFLIGHT_IDENTITY" | "PREFLIGHT_ACCESS" | "PREFLIGHT_OWNER" | "PREFLIGHT_SCOPE" | "PREFLIGHT_PROBE", message: string, cause?: unknown) {
    super(code, RETENTION_EXIT.config, message, { cause });
    this.name = "PreflightError";
  }
}

/** The owner's versions could not be read; nothing was planned or deleted. Exit 1. */
export class InventoryError extends RetentionError {
  constructor(message: string, cause?: unknown) {
    super("INVENTORY", RETENTION_EXIT.failed, message, { cause });
    this.name = "InventoryError";
  }
}

/**
 * Forgejo could not be asked during the preflight (transport error, 5xx after retries). Exit 2
 * like every preflight stop (issue 4): nothing was listed or deleted, and the CronJob's
 * FORGEJO_HOST may be the very thing that is wrong.
 */
export class ForgejoUnavailableError extends RetentionError {
  constructor(message: string, cause?: unknown) {
    super("FORGEJO_UNAVAILABLE", RETENTION_EXIT.config, message, { cause });
    this.name = "ForgejoUnavailableError";
  }
}

/**
 * IN_USE=kubernetes and the workloads could not all be listed (forbidden, timed out, unreachable):
 * what the cluster runs is unknown, so a live run deletes nothing. Exit 2, like a preflight stop:
 * nothing was deleted, and the ServiceAccount or KUBECONFIG is what needs fixing.
 */
export class InUseUnknownError extends RetentionError {
  constructor(message: string) {
    super("IN_USE_UNKNOWN", RETENTION_EXIT.config, message);
    this.name = "InUseUnknownError";
  }
}
