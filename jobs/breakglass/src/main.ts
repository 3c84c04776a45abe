#!/usr/bin/env node
// The whole main: signals -> run() -> exit code (job-runtime).
import { runMain } from "@regguard/job-runtime";
import { HELP, run } from "./cli.js";

await runMain(run, { help: HELP });
