#!/usr/bin/env node
// Entry point: environment in, Secret YAML out, exit code from run().
import { run } from "./cli.js";

process.exitCode = run(process.argv.slice(2), process.env, {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
