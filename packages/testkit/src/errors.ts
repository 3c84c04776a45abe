// Typed errors for the test kit: every failure carries a stable `code` so tests can assert on it.

/** Stable codes: tests and callers match on these, never on message text. */
export type TestkitErrorCode = "BINARY_MISSING" | "START_FAILED" | "PUSH_FAILED" | "INVALID_OPTION";

/** Base error of the kit: a stable code plus optional cause chaining. */
export class TestkitError extends Error {
  readonly code: TestkitErrorCode;
  constructor(code: TestkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TestkitError";
    this.code = code;
  }
}

/** A binary the kit needs is not on PATH; the message names the apt package to install. */
export class BinaryMissingError extends TestkitError {
  readonly binary: string;
  constructor(binary: string, message: string) {
    super("BINARY_MISSING", message);
    this.name = "BinaryMissingError";
    this.binary = binary;
  }
}

/** A server process exited or never became ready; the message carries its last stderr lines. */
export class StartFailedError extends TestkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("START_FAILED", message, options);
    this.name = "StartFailedError";
  }
}

/** An image push got an unexpected answer; `status` is the HTTP status when there was one. */
export class PushFailedError extends TestkitError {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super("PUSH_FAILED", message);
    this.name = "PushFailedError";
    this.status = status;
  }
}

/** An option was out of range; the message names the option. */
export class InvalidOptionError extends TestkitError {
  constructor(message: string) {
    super("INVALID_OPTION", message);
    this.name = "InvalidOptionError";
  }
}
