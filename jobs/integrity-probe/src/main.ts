#!/usr/bin/env node
// Entry point: signals -> AbortSignal -> run() -> exit code (job-runtime).
// A bug must never exit 1, which for the probe means "integrity failures
// found" and sends the operator to the registry. It exits 3 like every run
// that did not finish, and the log says it is a bug. That holds for a throw
// out of run() and for one from a callback outside it, which Node would
// otherwise end with 1.
import { exitCodeFor, jsonLogger, runMain } from "@regguard/job-runtime";
import { helpText } from "./help.js";
import { PROBE_EXIT } from "./report.js";
import { run } from "./run.js";

process.on("uncaughtException", (error) => {
  process.exit(exitCodeFor(error, jsonLogger(), PROBE_EXIT.incomplete));
});

await runMain(run, { help: helpText(), internalErrorCode: PROBE_EXIT.incomplete });
