// Exit codes are decided in one place: anything may throw an ExitError,
// main catches it once. A bug is kept apart from an operational failure.

/** Stop the job with this exit code and message. */
export class ExitError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = "ExitError";
    this.exitCode = exitCode;
  }
}

/** Codes shared by every job; each job documents its own meaning of 1 and 3. */
export const EXIT = { ok: 0, failed: 1, config: 2 } as const;
