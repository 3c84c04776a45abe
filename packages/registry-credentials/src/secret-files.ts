// `<NAME>_FILE` support for secret variables. The file content replaces the
// variable; messages name the variable and the path, never the content.
import { readFileSync } from "node:fs";
import type { EnvSchema } from "@regguard/job-config";

/** Environment-like input. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The environment with every `<SECRET>_FILE` read in, plus the problems found. */
export interface ResolvedEnv {
  readonly env: Env;
  readonly problems: readonly string[];
}

/** Reads `<NAME>_FILE` for each secret variable; one trailing newline is dropped. */
export function resolveSecretFiles(schema: EnvSchema, env: Env): ResolvedEnv {
  const out: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const spec of schema.filter((s) => s.secret)) {
    const fileVar = `${spec.name}_FILE`;
    const path = env[fileVar];
    if (path === undefined || path === "") continue;
    if (env[spec.name] !== undefined && env[spec.name] !== "") {
      problems.push(`${spec.name} and ${fileVar} are both set; use one`);
      continue;
    }
    try {
      out[spec.name] = readFileSync(path, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
      problems.push(`${fileVar}: cannot read ${JSON.stringify(path)} (${code})`);
    }
  }
  return { env: out, problems };
}

/** Names `<SECRET>_FILE` that the command also accepts as flags and env. */
export function fileVariables(schema: EnvSchema): string[] {
  return schema.filter((s) => s.secret).map((s) => `${s.name}_FILE`);
}
