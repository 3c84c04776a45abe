// Typed errors with stable codes (CHECK_*) for the checks that cannot even start.
import { RegguardError } from "@regguard/edge";

/** Base error of manifests-check. */
export class CheckError extends RegguardError<`CHECK_${string}`> {
  constructor(kind: string, message: string, options?: { cause?: unknown }) {
    super(`CHECK_${kind}`, message, options);
    this.name = "CheckError";
  }
}

/** A command-line tool the checks need is not installed. */
export class ToolMissingError extends CheckError {
  readonly tool: string;
  constructor(tool: string, debianPackage: string) {
    super("TOOL_MISSING", `${tool} is not installed: apt-get install ${debianPackage} (Debian package "${debianPackage}"; scripts/setup.sh installs it)`);
    this.name = "ToolMissingError";
    this.tool = tool;
  }
}

/** A .d.ts from kubernetes-models could not be read as expected. */
export class SchemaSourceError extends CheckError {
  constructor(message: string) {
    super("SCHEMA_SOURCE", message);
    this.name = "SchemaSourceError";
  }
}
