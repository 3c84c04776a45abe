// Every configuration problem is collected and reported at once, before any
// request is made; the caller maps this to exit code 2.
import { RegguardError } from "@regguard/edge";

/** Invalid or conflicting configuration: all problems, one per line. */
export class ConfigError extends RegguardError<"CONFIG_INVALID"> {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("CONFIG_INVALID", `invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}
