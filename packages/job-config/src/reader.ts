// Reads a job's environment (and `--flag=value` overrides) against its
// schema, collecting every problem so the operator fixes them in one go.
import { ConfigError } from "./errors.js";
import type { EnvSchema, EnvVarSpec } from "./schema.js";
import { flagName } from "./schema.js";
import { parseBoolean, parseDuration, parseInteger, parseList, parseNumber, parseRegex, parseUrl, type Parsed } from "./parse.js";

/** Environment-like input: process.env or a test's plain object. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Typed, problem-collecting access to one job's configuration. */
export class EnvReader {
  readonly problems: string[] = [];
  private readonly values = new Map<string, string>();
  private readonly specs = new Map<string, EnvVarSpec>();

  constructor(schema: EnvSchema, env: Env, argv: readonly string[] = []) {
    for (const spec of schema) {
      this.specs.set(spec.name, spec);
      const raw = env[spec.name];
      if (raw !== undefined && raw !== "") this.values.set(spec.name, raw);
    }
    this.applyFlags(schema, argv);
  }

  /** Whether the variable was given (not defaulted). */
  has(name: string): boolean {
    return this.values.has(this.spec(name).name);
  }

  /** Raw value or the schema default. */
  string(name: string): string | undefined {
    const spec = this.spec(name);
    const v = this.values.get(name) ?? spec.default;
    if (v === undefined && spec.required) this.problems.push(`${name} is required: ${spec.description}`);
    return v;
  }

  url(name: string): URL | undefined {
    return this.typed(name, (raw) => parseUrl(name, raw));
  }

  integer(name: string): number | undefined {
    const s = this.spec(name);
    return this.typed(name, (raw) => parseInteger(name, raw, s.min, s.max));
  }

  number(name: string): number | undefined {
    const s = this.spec(name);
    return this.typed(name, (raw) => parseNumber(name, raw, s.min, s.max));
  }

  boolean(name: string): boolean | undefined {
    return this.typed(name, (raw) => parseBoolean(name, raw));
  }

  /** Milliseconds. */
  duration(name: string): number | undefined {
    return this.typed(name, (raw) => parseDuration(name, raw));
  }

  regex(name: string): RegExp | undefined {
    return this.typed(name, (raw) => parseRegex(name, raw));
  }

  list(name: string): string[] | undefined {
    const raw = this.string(name);
    return raw === undefined ? undefined : parseList(raw);
  }

  /** Record a cross-field problem (conflicts, missing pairs). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws ConfigError with every problem, or returns the value. */
  finish<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }

  private typed<T>(name: string, parse: (raw: string) => Parsed<T>): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    this.problems.push(parsed.problem);
    return undefined;
  }

  private spec(name: string): EnvVarSpec {
    const spec = this.specs.get(name);
    // A typo here is a bug in the job, not the operator's fault.
    if (!spec) throw new Error(`internal: ${name} is not in the job's environment schema`);
    return spec;
  }

  private applyFlags(schema: EnvSchema, argv: readonly string[]): void {
    const byFlag = new Map(schema.map((s) => [flagName(s.name), s] as const));
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] as string;
      if (!arg.startsWith("--")) continue;
      const eq = arg.indexOf("=");
      const flag = eq === -1 ? arg : arg.slice(0, eq);
      const spec = byFlag.get(flag);
      if (!spec) continue;
      let value: string | undefined = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
      if (eq === -1) i++;
      if (value === undefined) {
        this.problems.push(`${flag} needs a value`);
        continue;
      }
      if (spec.kind === "boolean" && eq === -1 && value.startsWith("--")) {
        value = "true";
        i--;
      }
      this.values.set(spec.name, value);
    }
  }
}

/** Flags in argv that no schema entry knows (typos must not be ignored). */
export function unknownFlags(schema: EnvSchema, argv: readonly string[], extra: readonly string[] = []): string[] {
  const known = new Set([...schema.map((s) => flagName(s.name)), ...extra]);
  return argv
    .filter((a) => a.startsWith("--"))
    .map((a) => a.split("=")[0] as string)
    .filter((f) => !known.has(f));
}
