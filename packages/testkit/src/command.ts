// One-shot CLI runs (ctr, docker, openssl): collect output, never throw on a non-zero exit code.
import { spawn } from "node:child_process";
import type { CommandResult } from "./types.js";

/** Default cap on a CLI run: long enough for `docker load` of a test image. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

/** Options for runCommand: stdin bytes and a kill timeout. */
export interface RunCommandOptions {
  input?: Uint8Array | string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion and returns its output and exit code (spawn errors become code 127). */
export async function runCommand(command: string, args: string[], opts: RunCommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ stdout: "", stderr: e.message, code: 127 });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        code: code ?? (signal ? 128 : 1),
      });
    });
    child.stdin.on("error", () => undefined); // the command may exit before reading stdin
    child.stdin.end(opts.input ?? "");
  });
}
