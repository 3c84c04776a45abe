// One JSON object per line, so Loki/kubectl logs can be filtered by field.
// Values under secret-looking keys are replaced before anything is written.
import { redactText } from "@regguard/edge";

/** Log levels in order of severity. */
export type Level = "debug" | "info" | "warn" | "error";

/** Structured fields attached to a line. */
export type Fields = Record<string, unknown>;

/** The logger every job uses. */
export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

const SECRET_KEY = /pass(word)?|token|secret|authorization|credential|api[_-]?key/i;

/** Deep copy with secret-looking keys masked and URL userinfo removed. */
export function redactFields(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[…]";
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactFields(value.message, depth + 1) };
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "***" : redactFields(v, depth + 1);
    return out;
  }
  return value;
}

/** A JSON-lines logger writing to `out` (stdout by default). */
export function jsonLogger(out: { write(s: string): unknown } = process.stdout, minLevel: Level = "info"): Logger {
  const order: Level[] = ["debug", "info", "warn", "error"];
  const write = (level: Level, msg: string, fields?: Fields) => {
    if (order.indexOf(level) < order.indexOf(minLevel)) return;
    const line = { time: new Date().toISOString(), level, msg: redactFields(msg), ...(redactFields(fields ?? {}) as Fields) };
    out.write(`${JSON.stringify(line)}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}

/** A logger that keeps lines in memory (tests, the demo). */
export function memoryLogger(): Logger & { lines: Array<{ level: Level; msg: string } & Fields> } {
  const lines: Array<{ level: Level; msg: string } & Fields> = [];
  const push = (level: Level) => (msg: string, fields?: Fields) => void lines.push({ level, msg, ...(redactFields(fields ?? {}) as Fields) });
  return { lines, debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") };
}
