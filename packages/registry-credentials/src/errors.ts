// Typed errors with stable codes. Bad input is job-config's ConfigError
// (exit 2); everything here is an operational failure (exit 1).

/** Base error of this package. */
export class CredentialsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CredentialsError";
    this.code = code;
  }
}

/** The Secret could not be written to --output. */
export class OutputError extends CredentialsError {
  constructor(path: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException).code ?? "write failed";
    super("OUTPUT_FAILED", `cannot write ${JSON.stringify(path)} (${reason})`, { cause });
    this.name = "OutputError";
  }
}
