// Shared shapes of started servers: every start*() returns one of these, testcontainers-style.

/** A running server on 127.0.0.1: where to reach it and how to shut it down (safe to call twice). */
export interface StartedServer {
  url: string;
  stop(): Promise<void>;
}

/** Output of a CLI run against a started daemon (ctr, docker): never throws on a non-zero exit. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}
