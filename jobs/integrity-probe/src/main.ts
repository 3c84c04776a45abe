#!/usr/bin/env node
// Entry point: signals -> AbortSignal -> run() -> exit code (job-runtime).
import { runMain } from "@regguard/job-runtime";
import { helpText } from "./help.js";
import { run } from "./run.js";

await runMain(run, { help: helpText() });
