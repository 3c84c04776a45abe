#!/usr/bin/env node
// Entry point: signals -> AbortSignal -> run() -> exit code (job-runtime). A bug exits 3, never 1
// (which means "differences found").
import { exitCodeFor, jsonLogger, runMain } from "@regguard/job-runtime";
import { helpText } from "./help.js";
import { SYNC_EXIT } from "./report.js";
import { run } from "./run.js";

process.on("uncaughtException", (error) => {
  process.exit(exitCodeFor(error, jsonLogger(), SYNC_EXIT.incomplete));
});

await runMain(run, { help: helpText(), internalErrorCode: SYNC_EXIT.incomplete });
