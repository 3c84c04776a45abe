#!/usr/bin/env node
// Entry point: signals -> run() -> exit code (job-runtime does the rest).
import { runMain } from "@regguard/job-runtime";
import { HELP } from "./help.js";
import { run } from "./run.js";

await runMain((ctx) => run(ctx), { help: HELP });
