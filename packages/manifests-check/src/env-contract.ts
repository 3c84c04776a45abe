// A container's env against its job's schema (the same list the job parses
// at start-up): no unknown or legacy names, every required one present,
// secrets only from Secrets, and inline values that the job would accept.
import {
  parseBoolean, parseDuration, parseInteger, parseNumber, parseRegex, parseUrl,
  type EnvSchema, type EnvVarSpec, type Parsed,
} from "@regguard/job-config";

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
    default:
      return raw === "" ? { ok: false, problem: `${spec.name} is set to an empty string` } : { ok: true, value: raw };
  }
}
