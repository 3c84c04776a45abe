// One entry per environment variable a job reads. The same list drives
// parsing, `--help`, the README tables and the manifests check, so they can
// never disagree about a name.

/** How a value is parsed and validated. */
export type EnvKind = "string" | "url" | "integer" | "boolean" | "duration" | "regex" | "list" | "number";

/** One environment variable a job understands. */
export interface EnvVarSpec {
  readonly name: string;
  readonly kind: EnvKind;
  readonly description: string;
  /** Default as it would be written in the environment. */
  readonly default?: string;
  readonly required?: boolean;
  /** Must come from a Secret (secretKeyRef) in manifests; never echoed. */
  readonly secret?: boolean;
  /** Accepted for drop-in compatibility with the shell-script CronJobs. */
  readonly legacy?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** A job's whole environment contract. */
export type EnvSchema = readonly EnvVarSpec[];

/** The command-line flag that overrides a variable: REGISTRY_URL -> --registry-url. */
export function flagName(envName: string): string {
  return `--${envName.toLowerCase().replace(/_/g, "-")}`;
}
