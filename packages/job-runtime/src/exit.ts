// Exit codes are decided in one place: anything may throw an ExitError,
// main catches it once. A bug is kept apart from an operational failure.
import { RegguardError, type ErrorCode } from "@regguard/edge";

/** Stop the job with this exit code and message; `code` says why (JOB_EXIT unless a job's own error says more). */
export class ExitError<Code extends ErrorCode = ErrorCode> extends RegguardError<Code> {
  readonly exitCode: number;
  constructor(exitCode: number, message: string, code?: Code, options?: { cause?: unknown }) {
    super(code ?? ("JOB_EXIT" as Code), message, options);
    this.exitCode = exitCode;
  }
}

/**
 * The one exit-code table of every job (each job's help, README and runbook say what its 1 and
 * 3 mean for it; the *_exit_code gauges carry these numbers):
 *   0    ok: done
 *   1    failed: the job found or caused a problem it reports (a guard tripped, a destination
 *        failed, a tag drifted, an image is broken)
 *   2    config: configuration or preflight; nothing was done
 *   3    incomplete: the run could not finish what it set out to do (a server did not answer,
 *        the metrics push failed), and internal: a bug, logged as one. Never 1: a bug must not
 *        read as "the registry is broken" or "the guard tripped".
 *   130  stopped by SIGTERM or SIGINT
 */
export const EXIT = { ok: 0, failed: 1, config: 2, incomplete: 3, internal: 3, stopped: 130 } as const;
