#!/usr/bin/env node
// The whole main: signals -> run() -> exit code (job-runtime).
import { compileWasmBaselineOnly, runMain } from "@regguard/job-runtime";
import { HELP, run } from "./cli.js";

// Before the first connection compiles undici's HTTP parser (peak RSS, issue 13).
compileWasmBaselineOnly();
await runMain(run, { help: HELP });
