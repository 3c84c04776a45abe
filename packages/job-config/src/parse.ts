// Value parsers shared by every job. Strict on purpose: the shell retention
// treated DRY_RUN=TRUE as "delete for real" (docs/design.md, R4).

/** Parse outcome: a value or a message naming the variable. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/** Only true/false, any case. */
export function parseBoolean(name: string, raw: string): Parsed<boolean> {
  // Exactly the word, in any case: ' false' ran a live retention once (issue 11), so surrounding
  // whitespace is a mistake to report, not to forgive.
  const v = raw.toLowerCase();
  if (v === "true") return ok(true);
  if (v === "false") return ok(false);
  const hint = raw.trim() !== raw && ["true", "false"].includes(raw.trim().toLowerCase()) ? " (remove the surrounding whitespace)" : "";
  return bad(`${name} must be true or false (any case)${hint}, got ${JSON.stringify(raw)}`);
}

/** A whole number within optional bounds. */
export function parseInteger(name: string, raw: string, min?: number, max?: number): Parsed<number> {
  if (!/^-?\d+$/.test(raw.trim())) return bad(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw.trim());
  if (min !== undefined && n < min) return bad(`${name} must be at least ${min}, got ${n}`);
  if (max !== undefined && n > max) return bad(`${name} must be at most ${max}, got ${n}`);
  return ok(n);
}

/** A decimal number within optional bounds. */
export function parseNumber(name: string, raw: string, min?: number, max?: number): Parsed<number> {
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(n)) return bad(`${name} must be a number, got ${JSON.stringify(raw)}`);
  if (min !== undefined && n < min) return bad(`${name} must be at least ${min}, got ${n}`);
  if (max !== undefined && n > max) return bad(`${name} must be at most ${max}, got ${n}`);
  return ok(n);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Durations such as 24h, 90m, 30s, 2d or 1h30m. */
export function parseDuration(name: string, raw: string): Parsed<number> {
  const text = raw.trim();
  const re = /(\d+)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    matched = re.lastIndex;
  }
  if (text === "" || matched !== text.length) {
    return bad(`${name} must be a duration such as 24h, 90m or 30s, got ${JSON.stringify(raw)}`);
  }
  return ok(total);
}

/** An http(s) URL, credentials refused (they belong in their own variables). */
export function parseUrl(name: string, raw: string): Parsed<URL> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return bad(`${name} must be an http(s) URL, got ${JSON.stringify(redact(raw))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return bad(`${name} must use http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    return bad(`${name} must not contain credentials; use the username/password variables`);
  }
  return ok(url);
}

/** A JavaScript regular expression. */
export function parseRegex(name: string, raw: string): Parsed<RegExp> {
  try {
    return ok(new RegExp(raw));
  } catch (e) {
    return bad(`${name} is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Comma-separated, blanks dropped. */
export function parseList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Hide userinfo in anything URL-shaped before it reaches a message (the shared edge/redact.ts). */
import { redactText as redact } from "@regguard/edge";
export { redact };

/** One of `values`, matched case-insensitively (spaces around it ignored), returned as `values` spells it. */
export function parseEnum<V extends string>(name: string, raw: string, values: readonly V[]): Parsed<V> {
  const hit = values.find((v) => v.toLowerCase() === raw.trim().toLowerCase());
  if (hit !== undefined) return ok(hit);
  const choices = values.length > 1 ? `${values.slice(0, -1).join(", ")} or ${values.at(-1) as string}` : (values[0] ?? "");
  return bad(`${name} must be ${choices}, got ${JSON.stringify(raw.trim().toLowerCase().slice(0, 80))}`);
}
