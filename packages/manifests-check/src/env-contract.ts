// A container's env against its job's schema (the same list the job parses
// at start-up): no unknown or legacy names, every required one present,
// secrets only from Secrets, and inline values that the job would accept.
// Then the job's own config reader runs over that env, because the schema's
// `required` flag cannot say "REGISTRY_URL or the legacy REGISTRY_HOST":
// only the reader knows those rules, and its messages are the ones the pod
// would log.
import {
  parseBoolean,
  parseDuration,
  parseInteger,
  parseNumber,
  parseEnum,
  parseRegex,
  parseUrl,
  type Env,
  type EnvSchema,
  type EnvVarSpec,
  type Parsed,
} from "@regguard/job-config";

/** A job's environment contract: the schema it documents and the reader it runs at start-up. */
export interface JobContract {
  readonly schema: EnvSchema;
  /** Throws the job's ConfigError (its `problems`) for a configuration the job would refuse. */
  readonly readConfig: (env: Env) => unknown;
}

/** The parts of a container the contract looks at. */
export interface ContainerEnv {
  readonly name?: string;
  readonly env?: ReadonlyArray<{ name?: string; value?: string; valueFrom?: Record<string, unknown> }>;
  readonly envFrom?: readonly unknown[];
}

/** Every way `container`'s environment breaks `schema`. */
export function envProblems(container: ContainerEnv, schema: EnvSchema): string[] {
  const out: string[] = [];
  const specs = new Map(schema.map((s) => [s.name, s] as const));
  // envFrom would hide names from this check (and pull in unknown ones).
  if (container.envFrom?.length) out.push("envFrom is not allowed: list each variable so it can be checked against the schema");
  const seen = new Set<string>();
  for (const e of container.env ?? []) {
    const name = e.name ?? "";
    if (seen.has(name)) out.push(`${name} is set twice`);
    seen.add(name);
    const spec = specs.get(name);
    if (!spec) {
      out.push(`${name} is not in the job's environment schema`);
      continue;
    }
    if (spec.legacy) out.push(`${name} is a legacy name kept for old CronJobs; use the current name (${spec.description})`);
    const fromSecret = e.valueFrom !== undefined && "secretKeyRef" in e.valueFrom;
    if (spec.secret && !fromSecret) out.push(`${name} is a secret and must come from valueFrom.secretKeyRef, never an inline value`);
    if (e.value !== undefined && !spec.secret) {
      const parsed = parseValue(spec, e.value);
      if (!parsed.ok) out.push(parsed.problem);
    }
  }
  for (const spec of schema) {
    if (spec.required && !seen.has(spec.name)) out.push(`${spec.name} is required: ${spec.description}`);
  }
  return out;
}

function parseValue(spec: EnvVarSpec, raw: string): Parsed<unknown> {
  switch (spec.kind) {
    case "boolean":
      return parseBoolean(spec.name, raw);
    case "integer":
      return parseInteger(spec.name, raw, spec.min, spec.max);
    case "number":
      return parseNumber(spec.name, raw, spec.min, spec.max);
    case "duration":
      return parseDuration(spec.name, raw);
    case "url":
      return parseUrl(spec.name, raw);
    case "regex":
      return parseRegex(spec.name, raw);
    case "enum":
      return parseEnum(spec.name, raw, spec.values ?? []);
    default:
      return raw === "" ? { ok: false, problem: `${spec.name} is set to an empty string` } : { ok: true, value: raw };
  }
}

/**
 * The job's config reader over `container`'s env: inline values as written,
 * anything from valueFrom (a Secret's value is unknown offline) replaced by a
 * placeholder of the variable's kind. Returns the reader's problems.
 */
export function readerProblems(container: ContainerEnv, contract: JobContract): string[] {
  const specs = new Map(contract.schema.map((s) => [s.name, s] as const));
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (!e.name) continue;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom !== undefined) env[e.name] = placeholder(specs.get(e.name));
  }
  try {
    contract.readConfig(env);
    return [];
  } catch (error) {
    // Duck-typed: the ConfigError class may come from another copy of job-config.
    const problems = (error as { problems?: unknown }).problems;
    if (Array.isArray(problems)) return problems.map(String);
    return [`the job's config reader failed: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** envProblems, then the reader's problems that envProblems has not already reported in the same words. */
export function contractProblems(container: ContainerEnv, contract: JobContract): string[] {
  const out = envProblems(container, contract.schema);
  for (const p of readerProblems(container, contract)) if (!out.includes(p)) out.push(p);
  return out;
}

function placeholder(spec: EnvVarSpec | undefined): string {
  switch (spec?.kind) {
    case "url":
      return "https://placeholder.invalid";
    case "boolean":
      return "false";
    case "integer":
    case "number":
      return String(spec.min ?? 1);
    case "duration":
      return "1h";
    case "enum":
      return spec.values?.[0] ?? "placeholder";
    default:
      return "placeholder";
  }
}
