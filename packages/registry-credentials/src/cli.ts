// The command: read config, render, print or write. Exit codes live here
// only: 0 written, 1 output failed, 2 bad input.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { ConfigError, envHelp } from "@regguard/job-config";
import { readConfig } from "./config.js";
import { renderSecret } from "./dockerconfig.js";
import { CREDENTIALS_ENV } from "./env-schema.js";
import { OutputError } from "./errors.js";
import type { Env } from "./secret-files.js";

/** Where the command writes; tests pass their own sinks. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `Usage: registry-credentials [--output FILE] [--include registry2,dockerhub,forgejo]

Prints the registry-credentials Secret (kubernetes.io/dockerconfigjson) for
namespace kyverno to stdout, or writes it to FILE with mode 0600.
Tokens are read from <GROUP>_TOKEN or from the file named by <GROUP>_TOKEN_FILE,
never from flags.

Environment:
${envHelp(CREDENTIALS_ENV)}
  <NAME>_FILE for every secret variable: read the value from that file.

Exit codes: 0 done, 1 output could not be written, 2 invalid input.
`;

/** Runs the command and returns its exit code. */
export function run(argv: readonly string[], env: Env, io: Io): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(USAGE);
    return 0;
  }
  const { output, rest } = takeOutput(argv);
  let yaml: string;
  try {
    yaml = renderSecret(readConfig(env, rest));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`registry-credentials: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (output === undefined) {
    io.stdout(yaml);
    return 0;
  }
  try {
    writePrivate(output, yaml);
  } catch (e) {
    io.stderr(`registry-credentials: ${new OutputError(output, e).message}\n`);
    return 1;
  }
  io.stderr(`registry-credentials: wrote ${output}\n`);
  return 0;
}

function takeOutput(argv: readonly string[]): { output: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--output") output = argv[++i] ?? "";
    else if (arg.startsWith("--output=")) output = arg.slice("--output=".length);
    else rest.push(arg);
  }
  return { output, rest };
}

// Written to a 0600 temp file first and renamed, so the Secret is never
// readable by others, not even half-written.
function writePrivate(path: string, text: string): void {
  if (path === "") throw Object.assign(new Error("empty path"), { code: "EINVAL" });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
