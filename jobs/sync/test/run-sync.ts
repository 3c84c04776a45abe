// The sync job run in process, as every test file here runs it: its exit code and its log lines,
// and the two readings of those lines the tests assert on.
import { memoryLogger, type Fields, type Level } from "@regguard/job-runtime";
import { run } from "../src/index.js";

export interface SyncRun {
  code: number;
  lines: Array<{ level: Level; msg: string } & Fields>;
}

/** `node dist/main.js <command>` with exactly `env`, in process. */
export async function runSync(command: string, env: Record<string, string>, signal: AbortSignal = new AbortController().signal): Promise<SyncRun> {
  const log = memoryLogger();
  const code = await run({ argv: [command], env, signal, log });
  return { code, lines: log.lines };
}

/** The closing `Sync <command> complete` line. */
export function summary(r: SyncRun): Fields {
  const line = r.lines.find((l) => l.msg.startsWith("Sync "));
  if (!line) throw new Error(`no summary line: ${JSON.stringify(r.lines)}`);
  return line;
}

/** One `target:tag state action` per tag line, sorted. */
export const tagLines = (r: SyncRun): string[] =>
  r.lines
    .filter((l) => typeof l.tag === "string")
    .map((l) => `${String(l.target)}:${String(l.tag)} ${String(l.state)} ${String(l.action)}`)
    .sort();

/** The methods that change a registry. */
export const WRITES = new Set(["PUT", "POST", "PATCH", "DELETE"]);
