// One base error for every client and job. Its `code` is stable and prefixed by where the error
// came from (OCI_*, FORGEJO_*, PGW_*, KUBE_*, CONFIG_*, JOB_*, BREAKGLASS_*, RETENTION_*, CHECK_*), so
// one log field never means two things: `NOT_FOUND` from the registry and from Forgejo used to
// look the same in a log query (issue 13). Callers and tests match on codes, never on messages.

/** Where an error came from: the first word of its code. */
export type ErrorPrefix = "OCI" | "FORGEJO" | "PGW" | "KUBE" | "CONFIG" | "JOB" | "BREAKGLASS" | "RETENTION" | "CHECK";

/** A stable error code: a prefix, an underscore, then upper-case words. */
export type ErrorCode = `${ErrorPrefix}_${string}`;

/** The base of every error regguard throws on purpose; anything else reaching main is a bug. */
export class RegguardError<Code extends ErrorCode = ErrorCode> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

const CODE = /^(OCI|FORGEJO|PGW|KUBE|CONFIG|JOB|BREAKGLASS|RETENTION|CHECK)_[A-Z0-9_]+$/;

/** Whether a value is one of ours: a RegguardError from any package (by its code's shape, so two copies of this module agree). */
export function isRegguardError(e: unknown): e is RegguardError {
  const code: unknown = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && CODE.test(code);
}
