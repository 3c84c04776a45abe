// One entry per environment variable a job reads. The same list drives
// parsing, `--help`, the README tables and the manifests check, so they can
// never disagree about a name.

/** How a value is parsed and validated. */
export type EnvKind = "string" | "url" | "integer" | "boolean" | "duration" | "regex" | "list" | "number" | "enum";

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
  /** kind "enum": the accepted values, compared case-insensitively, read back as written here. */
  readonly values?: readonly string[];
}

/**
 * A job's whole environment contract. Declare it `[...] as const satisfies EnvSchema` so the
 * reader knows every name, kind, default and enum value: an unknown name is a compile error, a
 * variable with a default reads as its type (never undefined), an enum as the union of its values.
 */
export type EnvSchema = readonly EnvVarSpec[];

/** Every variable name of a schema. */
export type EnvName<S extends EnvSchema> = S[number]["name"];

/** The spec of one variable. */
export type EnvSpecOf<S extends EnvSchema, N extends string> = Extract<S[number], { readonly name: N }>;

/** The names of one kind. */
export type EnvNameOfKind<S extends EnvSchema, K extends EnvKind> = string extends EnvName<S> ? string : Extract<S[number], { readonly kind: K }>["name"];

/** What reading a variable gives: T when the schema has a default, else T | undefined. */
export type EnvRead<S extends EnvSchema, N extends string, T> = EnvSpecOf<S, N> extends { readonly default: string } ? T : T | undefined;

/** The values of an enum variable, as a union. */
export type EnvValues<S extends EnvSchema, N extends string> = EnvSpecOf<S, N> extends { readonly values: readonly (infer V extends string)[] } ? V : string;

/** The command-line flag that overrides a variable: REGISTRY_URL -> --registry-url. */
export function flagName(envName: string): string {
  return `--${envName.toLowerCase().replace(/_/g, "-")}`;
}
