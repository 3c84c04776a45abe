// Reads a job's environment (and `--flag=value` overrides) against its
// schema, collecting every problem so the operator fixes them in one go.
import { ConfigError } from "./errors.js";
import type { EnvName, EnvNameOfKind, EnvRead, EnvSchema, EnvValues, EnvVarSpec } from "./schema.js";
import { flagName } from "./schema.js";
import { parseBoolean, parseDuration, parseEnum, parseInteger, parseList, parseNumber, parseRegex, parseUrl, type Parsed } from "./parse.js";

/** Environment-like input: process.env or a test's plain object. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Typed, problem-collecting access to one job's configuration. With a schema declared `as const`,
 * each method accepts only names of its kind and returns the value's type, or the type | undefined
 * when the schema gives no default (defaults live in the schema only, never beside a call).
 */
export class EnvReader<S extends EnvSchema = EnvSchema> {
  readonly problems: string[] = [];
  private readonly values = new Map<string, string>();
  private readonly specs = new Map<string, EnvVarSpec>();

  constructor(schema: S, env: Env, argv: readonly string[] = []) {
    for (const spec of schema) {
      this.specs.set(spec.name, spec);
      const raw = env[spec.name];
      if (raw !== undefined && raw !== "") this.values.set(spec.name, raw);
    }
    this.applyFlags(schema, argv);
  }

  /** Whether the variable was given (not defaulted). */
  has(name: EnvName<S>): boolean {
    return this.values.has(this.spec(name).name);
  }

  /** Raw value or the schema default, whatever the kind. */
  string<N extends EnvName<S>>(name: N): EnvRead<S, N, string> {
    const spec = this.spec(name);
    const v = this.values.get(name) ?? spec.default;
    if (v === undefined && spec.required) this.problems.push(`${name} is required: ${spec.description}`);
    return v as EnvRead<S, N, string>;
  }

  url<N extends EnvNameOfKind<S, "url">>(name: N): EnvRead<S, N, URL> {
    return this.typed(name, (raw) => parseUrl(name, raw));
  }

  integer<N extends EnvNameOfKind<S, "integer">>(name: N): EnvRead<S, N, number> {
    const s = this.spec(name);
    return this.typed(name, (raw) => parseInteger(name, raw, s.min, s.max));
  }

  number<N extends EnvNameOfKind<S, "number">>(name: N): EnvRead<S, N, number> {
    const s = this.spec(name);
    return this.typed(name, (raw) => parseNumber(name, raw, s.min, s.max));
  }

  boolean<N extends EnvNameOfKind<S, "boolean">>(name: N): EnvRead<S, N, boolean> {
    return this.typed(name, (raw) => parseBoolean(name, raw));
  }

  /** Milliseconds. */
  duration<N extends EnvNameOfKind<S, "duration">>(name: N): EnvRead<S, N, number> {
    return this.typed(name, (raw) => parseDuration(name, raw));
  }

  regex<N extends EnvNameOfKind<S, "regex">>(name: N): EnvRead<S, N, RegExp> {
    return this.typed(name, (raw) => parseRegex(name, raw));
  }

  list<N extends EnvNameOfKind<S, "list">>(name: N): EnvRead<S, N, string[]> {
    const raw = this.string(name);
    return (raw === undefined ? undefined : parseList(raw)) as EnvRead<S, N, string[]>;
  }

  /** One of the spec's `values`, matched case-insensitively and returned as the schema spells it. */
  enum<N extends EnvNameOfKind<S, "enum">>(name: N): EnvRead<S, N, EnvValues<S, N>> {
    const values = (this.spec(name).values ?? []) as readonly EnvValues<S, N>[];
    return this.typed(name, (raw) => parseEnum(name, raw, values));
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

  /**
   * Parse the value or the default. A bad value is a problem, and the default (when there is one)
   * stands in for it, so the declared type holds until finish() throws with every problem.
   */
  private typed<T, R>(name: string, parse: (raw: string) => Parsed<T>): R {
    const raw = this.string(name as EnvName<S>);
    if (raw === undefined) return undefined as R;
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value as unknown as R;
    this.problems.push(parsed.problem);
    const fallback = this.spec(name).default;
    const standIn = fallback === undefined || fallback === raw ? undefined : parse(fallback);
    return (standIn?.ok ? standIn.value : undefined) as R;
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
