// The whole of a job's main: signals -> AbortSignal -> run() -> exit code.
import { ConfigError } from "@regguard/job-config";
import { ExitError, EXIT } from "./exit.js";
import { jsonLogger, type Logger } from "./logger.js";

/** What a job's run() receives. */
export interface JobContext {
  argv: string[];
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  log: Logger;
}

/** Options for runMain. */
export interface MainOptions {
  /** Printed for --help / -h, then exit 0. */
  help: string;
  /** Exit code for an unexpected bug (default EXIT.internal, 3). */
  internalErrorCode?: number;
}

/** Map any thrown value to an exit code, logging why. Exported for tests. */
export function exitCodeFor(error: unknown, log: Logger, internalErrorCode: number = EXIT.internal): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    log.error("configuration error", { problems: error.problems });
    return EXIT.config;
  }
  if (error instanceof ExitError) {
    // The stable code too: runbooks and log queries match on it (RETENTION_IN_USE_UNKNOWN, ...).
    log.error(error.message, { exitCode: error.exitCode, code: error.code });
    return error.exitCode;
  }
  log.error("internal error: this is a bug, please report it", { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return internalErrorCode;
}

/** Run a job with signal handling; sets process.exitCode and never throws. */
export async function runMain(run: (ctx: JobContext) => Promise<number>, opts: MainOptions): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${opts.help.trim()}\n`);
    process.exitCode = EXIT.ok;
    return;
  }
  const log = jsonLogger();
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    log.warn(`received ${sig}, stopping`, { signal: sig });
    controller.abort(new ExitError(EXIT.stopped, `stopped by ${sig}`, "JOB_STOPPED"));
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  // A job whose promise can no longer settle (a stream nobody reads, a wait on an event that will
  // not come) lets the event loop drain; Node would then end an ESM main with code 13 and not a
  // word in the log (issue 12: a restore did exactly that). Say so, and fail as the bug it is.
  const drained = () => {
    log.error("internal error: the job stopped before it finished (its event loop drained with the run still pending); this is a bug, please report it");
    process.exitCode = opts.internalErrorCode ?? EXIT.internal;
  };
  process.once("beforeExit", drained);
  try {
    process.exitCode = await run({ argv, env: process.env, signal: controller.signal, log });
  } catch (error) {
    process.exitCode = exitCodeFor(error, log, opts.internalErrorCode);
  } finally {
    process.off("beforeExit", drained);
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}
